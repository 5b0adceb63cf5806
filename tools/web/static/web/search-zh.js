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

/* Ranking (searchtools.js keeps a Scorer that is already defined). Sphinx scores every page
 * that holds a word alike and breaks ties by title, so 芯片 listed the IC page 6th of 6. Here a
 * page whose title holds a word of the query comes first, then a page with a heading (or a
 * table's title) that holds it, then the pages where the word is the largest share of the
 * text: the index lists each word's pages in that order (bookbuild/sphinx/search.py). A link to a heading
 * follows its page. */
var Scorer = {
  objNameMatch: 11, objPartialMatch: 6, objPrio: { 0: 15, 1: 5, 2: -5 }, objPrioDefault: 0,
  title: 15, partialTitle: 7, term: 5, partialTerm: 2,
  score: function (result) {
    var index = Search._index;
    var words = splitQuery.lastWords || [];
    var doc = index.docnames.indexOf(result[0]);
    if (doc < 0 || !words.length) return result[4];
    var plain = function (html) { return html.replace(/<[^>]+>/g, "").toLowerCase(); };
    var pageTitle = plain(index.titles[doc]);
    var headings = [];
    Object.keys(index.alltitles).forEach(function (title) {
      index.alltitles[title].forEach(function (entry) {
        if (entry[0] === doc) headings.push(title.toLowerCase());
      });
    });
    var score = 0;
    words.forEach(function (word) {
      if (pageTitle.indexOf(word) >= 0) score += 1000;
      else if (headings.some(function (h) { return h.indexOf(word) >= 0; })) score += 500;
      [index.terms[word], index.titleterms[word]].forEach(function (files) {
        if (files === undefined) return;
        files = [].concat(files);
        var at = files.indexOf(doc);
        if (at >= 0) score += (100 * (files.length - at)) / files.length;
      });
    });
    if (!score) return result[4];
    return result[2] ? score - 0.5 : score;
  },
};

(function () {
  var split = splitQuery;
  splitQuery = function (query) {
    var words = split(query);
    splitQuery.lastWords = words.map(function (w) { return w.toLowerCase(); });
    return words;
  };
})();

/* Result summaries: Sphinx cuts each from the text of the whole main block, which begins
 * with the page's buttons ("…全书 PDF 目录 …") and holds the folded code cells ("显示代码
 * 隐藏代码 names = ..."), at the first place of the last word searched. Here: the article alone,
 * without code cells, their folds, the long-table summaries or the heading links, from the
 * start of the sentence where a searched word first occurs. Search is the object
 * searchtools.js defines; this runs before its own DOMContentLoaded handler. The message for
 * no result is Sphinx's, whose Chinese asked readers to choose categories this page has not. */
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Search === "undefined") return;
  Search.htmlToText = function (htmlString, anchor) {
    var doc = new DOMParser().parseFromString(htmlString, "text/html");
    doc.querySelectorAll(
      ".cell_input, details.hide > summary, .web-long-table > summary, .headerlink, script, style"
    ).forEach(function (el) { el.remove(); });
    var article = doc.querySelector("article.bd-article");
    if (!article) return "";
    var part = (anchor && article.querySelector(anchor)) || article;
    return part.textContent
      .replace(/\s+/g, " ")
      .replace(/([\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])/g, "$1")
      .trim();
  };
  Search.makeSearchSummary = function (htmlText, keywords, anchor) {
    var text = Search.htmlToText(htmlText, anchor);
    if (!text) return null;
    var lower = text.toLowerCase();
    var at = [].concat.apply([], [Array.from(keywords)])
      .map(function (k) { return lower.indexOf(k.toLowerCase()); })
      .filter(function (i) { return i > -1; });
    var start = at.length ? Math.min.apply(null, at) : 0;
    // from the end of the sentence before, when it is near; else a few characters before the word
    var stop = Math.max.apply(null, ["。", "；", "！", "？"].map(function (p) { return text.lastIndexOf(p, start); }));
    var from = stop >= 0 && stop >= start - 80 ? stop + 1 : Math.max(0, start - 30);
    var summary = document.createElement("p");
    summary.classList.add("context");
    summary.textContent = (from > 0 ? "…" : "") + text.substr(from, 160).trim() + (from + 160 < text.length ? "…" : "");
    return summary;
  };
  if (typeof Documentation !== "undefined") {
    Documentation.TRANSLATIONS[
      "Your search did not match any documents. Please make sure that all words are spelled correctly and that you've selected enough categories."
    ] = "本书中没有找到包含这些字词的页面。请检查用字，或改搜较短的词（例如名称的一部分）。";
  }
});
