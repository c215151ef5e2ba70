// Segment pages: the builder's live count (asked for ~400 ms after the conditions stop
// changing, the latest answer wins), errors shown next to the condition they name, and the
// membership and behaviour conditions offered in the contact list's filter builder.

const DEBOUNCE_MS = 400;
const LIST_OPTIONS_URL = "/segments/builder-options/";

function csrfToken(form) {
  return form.querySelector("[name=csrfmiddlewaretoken]")?.value || "";
}

function startLiveCount(form) {
  const root = form.querySelector("[data-filter-builder]");
  const builder = root?.filterBuilder;
  const box = form.querySelector("[data-live-count]");
  const status = form.querySelector("[data-live-status]");
  if (!builder || !box) return;
  let timer = null;
  let pending = null;

  async function count() {
    pending?.abort();
    pending = new AbortController();
    const tree = builder.tree();
    const body = new FormData();
    body.append("definition", tree ? JSON.stringify(tree) : "");
    form.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(form.dataset.countUrl, {
        method: "POST", body, signal: pending.signal,
        headers: { "X-CSRFToken": csrfToken(form) },
      });
      if (!response.ok) throw new Error(String(response.status));
      box.innerHTML = await response.text();
      const error = box.querySelector("[data-builder-error]");
      if (error) builder.showError(error.dataset.path, error.dataset.message);
      else builder.clearError();
      if (status) status.textContent = (box.querySelector("[data-count]") || error)?.textContent.trim() || "";
    } catch (failure) {
      if (failure.name !== "AbortError") box.dataset.failed = "true";
    } finally {
      form.removeAttribute("aria-busy");
    }
  }

  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(count, DEBOUNCE_MS);
  };
  root.addEventListener("filter-builder:change", later);
  // A save refused by the server names the condition: show it there at once.
  if (root.dataset.errorMessage) {
    builder.tree();
    builder.showError(root.dataset.errorPath, root.dataset.errorMessage);
  }
  count();
}

// "Save as": the note about static lists shows only when a list is chosen.
function startKindSwitch(form) {
  const help = form.querySelector("[data-static-help]");
  if (!help) return;
  form.addEventListener("change", (event) => {
    if (event.target.name === "kind") help.hidden = event.target.value !== "static";
  });
}

async function offerSegmentConditions(listForm) {
  const builder = listForm.querySelector("[data-filter-builder]")?.filterBuilder;
  if (!builder) return;
  const path = new URL(listForm.action, window.location.href).pathname;
  try {
    const response = await fetch(`${LIST_OPTIONS_URL}?path=${encodeURIComponent(path)}`, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const options = await response.json();
    if (options.segments) builder.addOptions(options);
  } catch {
    // Without them the list's own conditions still work.
  }
}

function start() {
  for (const form of document.querySelectorAll("[data-segment-builder]")) {
    startLiveCount(form);
    startKindSwitch(form);
  }
  for (const form of document.querySelectorAll("[data-list-form]")) offerSegmentConditions(form);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
