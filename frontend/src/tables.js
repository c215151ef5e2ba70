// Wide tables scroll sideways inside .table-wrap; a wrap that actually overflows becomes a
// keyboard stop so it can be scrolled without a mouse (WCAG 2.1.1), named by its caption.

function updateTableWraps(root = document) {
  for (const wrap of root.querySelectorAll(".table-wrap")) {
    if (wrap.dataset.tabindexOwner === "author") continue;
    if (wrap.hasAttribute("tabindex") && !wrap.dataset.tabindexOwner) {
      wrap.dataset.tabindexOwner = "author";
      continue;
    }
    const overflows = wrap.scrollWidth > wrap.clientWidth;
    if (overflows) {
      wrap.setAttribute("tabindex", "0");
      wrap.dataset.tabindexOwner = "script";
      const caption = wrap.querySelector("caption");
      if (!wrap.hasAttribute("role") && caption) {
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", caption.textContent.trim());
      }
    } else if (wrap.dataset.tabindexOwner === "script") {
      wrap.removeAttribute("tabindex");
    }
  }
}

let resizeFrame = 0;
window.addEventListener("resize", () => {
  cancelAnimationFrame(resizeFrame);
  resizeFrame = requestAnimationFrame(() => updateTableWraps());
});
document.addEventListener("htmx:afterSettle", (event) => updateTableWraps(event.target));

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => updateTableWraps());
} else {
  updateTableWraps();
}
