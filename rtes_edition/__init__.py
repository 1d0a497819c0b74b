"""Code behind the notebooks of the edition: load and validate the data package
(`data`), build the charts (`charts`), and emit them so that the web page gets the live
chart and the PDF a print-resolution image (`output`)."""
