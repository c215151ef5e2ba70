// The app shell: the navigation toggle on narrow screens and the user menu disclosure.

function setNavOpen(toggle, open) {
  const nav = document.getElementById(toggle.getAttribute("aria-controls"));
  toggle.setAttribute("aria-expanded", String(open));
  if (nav) nav.classList.toggle("is-open", open);
}

document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-nav-toggle]");
  if (toggle) {
    setNavOpen(toggle, toggle.getAttribute("aria-expanded") !== "true");
    return;
  }
  // A click outside an open menu closes it, as a native menu would.
  for (const menu of document.querySelectorAll("details[data-menu][open]")) {
    if (!menu.contains(event.target)) menu.open = false;
  }
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const menu = event.target.closest?.("details[data-menu][open]");
  if (menu) {
    menu.open = false;
    menu.querySelector("summary").focus();
    return;
  }
  const toggle = document.querySelector('[data-nav-toggle][aria-expanded="true"]');
  const nav = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (nav && nav.contains(event.target)) {
    setNavOpen(toggle, false);
    toggle.focus();
  }
});
