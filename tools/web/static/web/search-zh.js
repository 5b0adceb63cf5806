/* Chinese query segmentation for Sphinx search (loaded on search.html only, before
 * searchtools.js, which keeps a splitQuery that is already defined).
 *
 * Sphinx segments the pages with jieba when it builds searchindex.js, but splits a query
 * only at spaces and punctuation, so 石墨烯晶圆 or 北斗卫星 typed as one word matched
 * nothing. Here every run of Chinese characters that is not itself an index term is cut
 * by longest match against the index's own terms (石墨烯晶圆 -> 石墨烯 晶圆). Characters
 * that start no term are dropped (a one-character word is never indexed: Sphinx keeps
 * terms of two characters or more), unless nothing else is left.
 */
function splitQuery(query) {
  var words = query
    .split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu)
    .filter(function (term) { return term; });
  var index = (typeof Search !== "undefined" && Search._index) || {};
  var terms = index.terms || {};
  var titles = index.titleterms || {};
  var has = function (word) {
    var w = word.toLowerCase();
    return Object.prototype.hasOwnProperty.call(terms, w) || Object.prototype.hasOwnProperty.call(titles, w);
  };
  var longest = 0;
  [terms, titles].forEach(function (table) {
    Object.keys(table).forEach(function (t) { if (t.length > longest) longest = t.length; });
  });
  var cjk = /[\u3400-\u9fff\uf900-\ufaff]/;
  var out = [];
  words.forEach(function (word) {
    if (!cjk.test(word) || has(word)) { out.push(word); return; }
    var found = [];
    var i = 0;
    while (i < word.length) {
      var n = Math.min(longest, word.length - i);
      while (n > 1 && !has(word.substr(i, n))) n--;
      if (n > 1) { found.push(word.substr(i, n)); i += n; }
      else i += 1;
    }
    if (found.length) out.push.apply(out, found); else out.push(word);
  });
  return out;
}

/* Result summaries without code: Sphinx cuts each summary from the page's text, which holds
 * the folded code cells ("显示代码 隐藏代码 names = ..."). Leave out the code cells, their
 * folds and the long-table summaries before Sphinx takes the text. Search is the object
 * searchtools.js defines; this runs before its own DOMContentLoaded handler. */
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Search === "undefined" || !Search.htmlToText) return;
  var htmlToText = Search.htmlToText;
  Search.htmlToText = function (htmlString, anchor) {
    var doc = new DOMParser().parseFromString(htmlString, "text/html");
    doc.querySelectorAll(".cell_input, details.hide > summary, .web-long-table > summary").forEach(function (el) {
      el.remove();
    });
    return htmlToText(doc.documentElement.outerHTML, anchor);
  };
});
