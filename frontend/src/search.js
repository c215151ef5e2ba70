// The header search box, an ARIA 1.2 combobox: htmx fills the listbox as one types (debounced
// in the template); ArrowDown/ArrowUp move through the options, Enter opens the active one
// (or the full results page), Escape closes the list.

function options(list) {
  return [...list.querySelectorAll("[role=option]")];
}

function setOpen(input, list, open) {
  list.hidden = !open;
  input.setAttribute("aria-expanded", String(open));
  if (!open) {
    input.removeAttribute("aria-activedescendant");
    for (const option of options(list)) option.setAttribute("aria-selected", "false");
  }
}

function activate(input, list, index) {
  const all = options(list);
  if (!all.length) return;
  const next = (index + all.length) % all.length;
  all.forEach((option, position) => option.setAttribute("aria-selected", String(position === next)));
  input.setAttribute("aria-activedescendant", all[next].id);
  all[next].scrollIntoView({ block: "nearest" });
}

function current(list) {
  return options(list).findIndex((option) => option.getAttribute("aria-selected") === "true");
}

document.addEventListener("keydown", (event) => {
  const input = event.target.closest?.("[data-search] [role=combobox]");
  if (!input) return;
  const list = document.getElementById(input.getAttribute("aria-controls"));
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    if (list.hidden && options(list).length) setOpen(input, list, true);
    activate(input, list, current(list) + (event.key === "ArrowDown" ? 1 : -1));
  } else if (event.key === "Enter") {
    const active = options(list)[current(list)];
    if (active && !list.hidden) {
      event.preventDefault();
      window.location.assign(active.href);
    }
  } else if (event.key === "Escape") {
    if (!list.hidden) {
      event.preventDefault();
      setOpen(input, list, false);
    }
  }
});

document.addEventListener("htmx:afterSwap", (event) => {
  const list = event.target;
  if (!list.matches?.("[data-search] [role=listbox]")) return;
  const input = list.closest("[data-search]").querySelector("[role=combobox]");
  setOpen(input, list, options(list).length > 0 && input.value.trim().length > 0);
});

document.addEventListener("click", (event) => {
  for (const box of document.querySelectorAll("[data-search]")) {
    if (box.contains(event.target)) continue;
    const input = box.querySelector("[role=combobox]");
    setOpen(input, box.querySelector("[role=listbox]"), false);
  }
});
