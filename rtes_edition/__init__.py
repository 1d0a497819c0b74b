"""Code behind the notebooks of the edition, which they import: load and validate the data
package (`data`), choose what each chart shows (`selections`, `levels`), build the charts
(`charts`), emit them so that the web page gets the live chart and the PDF a
print-resolution image (`output`), and one call per section of a notebook (`sections`).

`rtes_edition.build` is the build's (the myst-nb plugin, what `tools/` and `book/_ext`
share): no notebook imports it. Paths come from the caller; the edition's folder and its
chapters from `_toc.yml` (`toc`)."""
