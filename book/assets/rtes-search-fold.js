// The search page's half of book/_ext/french_search.py: the query's words lose their
// accents (and œ/æ are spelt out) before Sphinx's French stemmer (language_data.js)
// stems them, as the index's words did when it was built. Sphinx's search makes a
// `new Stemmer()` for each query; this one folds, then stems with the French one.
(function () {
  if (typeof Stemmer === "undefined") return;
  var French = Stemmer;
  function fold(word) {
    return word.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/œ/g, "oe").replace(/Œ/g, "OE").replace(/æ/g, "ae").replace(/Æ/g, "AE");
  }
  window.rtesFoldAccents = fold;
  Stemmer = function () {
    var french = new French();
    this.stemWord = function (word) { return french.stemWord(fold(word)); };
  };
})();
