/* The reader's tools under charts and tables (bookbuild/sphinx/figures.py writes their HTML):
 * copy buttons for the citations, the permalink and today's date written into them, and the
 * chart viewer: a tap on a chart opens it full screen with its caption (the phone drawing on a
 * phone, as the page shows it), pinch, double-tap, wheel and +/- zoom; the close button, Esc
 * and the browser's back button close it and leave the page where it was. No request to any
 * other host, no library. */
(() => {
  "use strict";

  const pad = (n) => String(n).padStart(2, "0");
  const now = new Date();
  const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const page = location.href.split("#")[0];
  document.querySelectorAll("[data-today]").forEach((el) => { el.textContent = today; });
  document.querySelectorAll("[data-permalink]").forEach((el) => {
    el.textContent = new URL(el.dataset.permalink, page).href;
  });

  /* ---- copy ---- */
  const status = document.createElement("p");
  status.className = "fig-tool__status";
  status.setAttribute("role", "status");
  document.body.append(status);

  async function copy(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (err) {  // not a secure context (a file:// page) or no permission: the selection way
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.cssText = "position:fixed;top:0;left:0;opacity:0";
      document.body.append(area);
      area.select();
      let done = false;
      try { done = document.execCommand("copy"); } catch (e) { done = false; }
      area.remove();
      return done;
    }
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-copy]");
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    const ok = await copy(source.textContent.trim());
    button.textContent = ok ? "已复制" : "请手动复制";
    status.textContent = ok ? "已复制到剪贴板" : "未能复制，请选中文字后手动复制";
    clearTimeout(button.resetTimer);
    button.resetTimer = setTimeout(() => { button.textContent = "复制"; }, 2000);
  });

  /* ---- the viewer ---- */
  const MAX_ZOOM = 6;
  let dialog, stage, caption, picture, opener, savedY = 0, zoom = 1, fit = 1, natural = [1, 1];

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "fig-viewer";
    dialog.setAttribute("aria-labelledby", "fig-viewer-caption");
    dialog.innerHTML =
      '<div class="fig-viewer__bar">' +
      '<p class="fig-viewer__caption" id="fig-viewer-caption"></p>' +
      '<button type="button" class="fig-viewer__button" data-zoom="-1" aria-label="缩小">−</button>' +
      '<button type="button" class="fig-viewer__button" data-zoom="1" aria-label="放大">+</button>' +
      '<button type="button" class="fig-viewer__button fig-viewer__close" aria-label="关闭" autofocus>×</button>' +
      "</div>" +
      '<div class="fig-viewer__stage" tabindex="0" role="group" aria-label="图（可缩放）"></div>';
    document.body.append(dialog);
    stage = dialog.querySelector(".fig-viewer__stage");
    caption = dialog.querySelector(".fig-viewer__caption");
    dialog.querySelector(".fig-viewer__close").addEventListener("click", requestClose);
    dialog.querySelectorAll("[data-zoom]").forEach((b) =>
      b.addEventListener("click", () => setZoom(zoom * (b.dataset.zoom > 0 ? 1.5 : 1 / 1.5))));
    dialog.addEventListener("cancel", (event) => { event.preventDefault(); requestClose(); });  // Esc
    dialog.addEventListener("keydown", (event) => {
      if (event.key === "+" || event.key === "=") setZoom(zoom * 1.5);
      else if (event.key === "-") setZoom(zoom / 1.5);
      else if (event.key === "0") setZoom(1);
    });
    gestures();
    addEventListener("resize", () => { if (dialog.open) measure(); });
  }

  function measure() {
    const box = stage.getBoundingClientRect();
    fit = Math.min((box.width - 16) / natural[0], (box.height - 16) / natural[1]);  // 8 px of air around it
    setZoom(zoom);
  }

  /* Zoom by size, not by transform: the SVG is drawn again at each size, so text stays sharp.
   * (cx, cy): the point of the stage that stays put (the pinch's centre, the tap). */
  function setZoom(next, cx, cy) {
    const img = picture && picture.querySelector("img");
    if (!img) return;
    const before = zoom;
    zoom = Math.min(MAX_ZOOM, Math.max(1, next));
    const box = stage.getBoundingClientRect();
    cx = cx === undefined ? box.width / 2 : cx;
    cy = cy === undefined ? box.height / 2 : cy;
    const x = (stage.scrollLeft + cx) / before, y = (stage.scrollTop + cy) / before;
    img.style.width = `${Math.round(natural[0] * fit * zoom)}px`;
    img.style.height = `${Math.round(natural[1] * fit * zoom)}px`;
    stage.classList.toggle("is-zoomed", zoom > 1.01);
    stage.scrollLeft = x * zoom - cx;
    stage.scrollTop = y * zoom - cy;
  }

  function gestures() {
    const points = new Map();
    let pinch = null, last = 0;
    stage.addEventListener("pointerdown", (e) => {
      points.set(e.pointerId, { x: e.clientX, y: e.clientY });
      stage.setPointerCapture(e.pointerId);
      if (points.size === 2) {
        const [a, b] = [...points.values()];
        pinch = { distance: Math.hypot(a.x - b.x, a.y - b.y), zoom };
      }
    });
    stage.addEventListener("pointermove", (e) => {
      const previous = points.get(e.pointerId);
      if (!previous) return;
      points.set(e.pointerId, { x: e.clientX, y: e.clientY });
      const box = stage.getBoundingClientRect();
      if (points.size === 2 && pinch) {
        const [a, b] = [...points.values()];
        const distance = Math.hypot(a.x - b.x, a.y - b.y);
        setZoom(pinch.zoom * distance / pinch.distance, (a.x + b.x) / 2 - box.left, (a.y + b.y) / 2 - box.top);
      } else if (points.size === 1 && (e.pointerType !== "mouse" || e.buttons === 1)) {
        stage.scrollLeft -= e.clientX - previous.x;  // drag to pan (touch-action: none)
        stage.scrollTop -= e.clientY - previous.y;
      }
    });
    const up = (e) => {
      points.delete(e.pointerId);
      if (points.size < 2) pinch = null;
    };
    stage.addEventListener("pointerup", (e) => {
      up(e);
      const t = Date.now();
      if (t - last < 300) {  // a double tap or click: in, or back to the whole chart
        const box = stage.getBoundingClientRect();
        setZoom(zoom > 1.01 ? 1 : 2.5, e.clientX - box.left, e.clientY - box.top);
        last = 0;
      } else last = t;
    });
    stage.addEventListener("pointercancel", up);
    stage.addEventListener("wheel", (e) => {
      if (!e.ctrlKey) return;  // a plain wheel scrolls; ctrl+wheel (and a trackpad pinch) zooms
      e.preventDefault();
      const box = stage.getBoundingClientRect();
      setZoom(zoom * Math.exp(-e.deltaY / 300), e.clientX - box.left, e.clientY - box.top);
    }, { passive: false });
  }

  function open(link, push) {
    const figure = link.closest("figure");
    if (!figure) return false;
    if (!dialog) build();
    opener = link;
    savedY = scrollY;
    picture = link.querySelector("picture").cloneNode(true);
    const img = picture.querySelector("img");
    img.removeAttribute("loading");
    img.style.maxWidth = "none";
    img.alt = img.alt || "";
    stage.replaceChildren(picture);
    const number = figure.querySelector(".caption-number");
    const text = figure.querySelector(".caption-text");
    caption.textContent = ((number ? number.textContent : "") +
      (text ? text.textContent.replace(/数据[：:][\s\S]*$/, "") : "")).trim();
    zoom = 1;
    document.documentElement.classList.add("fig-viewer-open");
    dialog.showModal();
    const start = () => {
      natural = [img.naturalWidth || +img.getAttribute("width") || 1, img.naturalHeight || +img.getAttribute("height") || 1];
      const source = picture.querySelector("source");
      if (source && matchMedia(source.media).matches && source.getAttribute("width")) {
        natural = [+source.getAttribute("width"), +source.getAttribute("height")];
      }
      measure();
    };
    if (img.complete) start(); else img.addEventListener("load", start, { once: true });
    if (push) history.pushState({ figViewer: figure.id }, "");
    return true;
  }

  function close() {
    if (!dialog || !dialog.open) return;
    dialog.close();
    document.documentElement.classList.remove("fig-viewer-open");
    stage.replaceChildren();
    picture = null;
    if (Math.abs(scrollY - savedY) > 1) scrollTo(scrollX, savedY);
    if (opener) opener.focus({ preventScroll: true });
  }

  function requestClose() {  // the close button and Esc take the viewer's history entry back off
    if (history.state && history.state.figViewer) history.back();
    else close();
  }

  addEventListener("popstate", (event) => {
    const id = event.state && event.state.figViewer;
    if (!id) close();
    else if (!dialog || !dialog.open) {  // forward again: reopen it
      const link = document.querySelector(`#${CSS.escape(id)} a.figure-full`);
      if (link) open(link, false);
    }
  });

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.figure-full");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    if (open(link, true)) event.preventDefault();
  });
})();
