// Collaboration: @mention autocomplete on any <textarea data-mentions>, the Note / Call /
// Meeting tabs of the composer, the small rich-text editor of notes (<textarea
// data-richtext>) and file uploads with a progress bar (<form data-upload>). Everything
// attaches on DOMContentLoaded and on htmx:load, so content swapped in later works too.

const PEOPLE_URL = "/collab/people/";
const TRIGGER = /(^|[\s(])@([\p{L}\p{N}._'-]{1,40})$/u;
let uid = 0;
const nextId = (prefix) => `${prefix}-${++uid}`;

// --- @mentions -------------------------------------------------------------------------------

function mentionToken(person) {
  const name = person.name.replace(/[[\]\n]/g, " ").trim();
  return `@[${name}](user:${person.id}) `;
}

function attachMentions(textarea) {
  if (textarea.dataset.mentionsReady) return;
  textarea.dataset.mentionsReady = "1";
  const list = document.createElement("ul");
  list.id = nextId("mention-list");
  list.className = "collab-mention-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", textarea.dataset.mentionsLabel || "People");
  list.hidden = true;
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  textarea.after(list, status);
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", list.id);
  textarea.parentElement.classList.add("collab-mention-anchor");

  let people = [];
  let active = -1;
  let request = 0;
  let timer = null;

  const close = () => {
    list.hidden = true;
    list.replaceChildren();
    people = [];
    active = -1;
    textarea.removeAttribute("aria-activedescendant");
  };

  const highlight = (index) => {
    if (!people.length) return;
    active = (index + people.length) % people.length;
    [...list.children].forEach((option, position) => {
      option.setAttribute("aria-selected", String(position === active));
    });
    const option = list.children[active];
    textarea.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  };

  const choose = (index) => {
    const person = people[index];
    const caret = textarea.selectionStart;
    const before = textarea.value.slice(0, caret);
    const match = before.match(TRIGGER);
    if (!person || !match) return close();
    const start = caret - match[2].length - 1;
    const token = mentionToken(person);
    textarea.value = textarea.value.slice(0, start) + token + textarea.value.slice(caret);
    const position = start + token.length;
    textarea.setSelectionRange(position, position);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    close();
    status.textContent = `${person.name}`;
  };

  const show = (found) => {
    people = found;
    list.replaceChildren(...found.map((person, index) => {
      const option = document.createElement("li");
      option.id = `${list.id}-${index}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.className = "collab-mention-option";
      const name = document.createElement("span");
      name.textContent = person.name;
      const email = document.createElement("span");
      email.className = "collab-mention-email";
      email.textContent = person.email;
      option.append(name, " ", email);
      option.addEventListener("mousedown", (event) => {
        event.preventDefault(); // keep focus (and the caret) in the textarea
        choose(index);
      });
      return option;
    }));
    list.hidden = found.length === 0;
    status.textContent = found.map((person) => person.name).join(", ");
    if (found.length) highlight(0);
  };

  const lookup = () => {
    const match = textarea.value.slice(0, textarea.selectionStart).match(TRIGGER);
    if (!match) return close();
    const mine = ++request;
    const url = `${textarea.dataset.mentionsUrl || PEOPLE_URL}?q=${encodeURIComponent(match[2])}`;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : []))
      .then((found) => { if (mine === request) show(found); })
      .catch(() => close());
  };

  textarea.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookup, 120);
  });
  textarea.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" || event.key === "Tab") {
      if (active < 0) return;
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // don't close a surrounding dialog
      close();
    }
  });
  textarea.addEventListener("blur", () => setTimeout(close, 150));
}

// --- Composer tabs ---------------------------------------------------------------------------

function attachTabs(composer) {
  if (composer.dataset.tabsReady) return;
  composer.dataset.tabsReady = "1";
  const tablist = composer.querySelector("[data-tablist]");
  if (!tablist) return;
  const tabs = [...tablist.querySelectorAll("[role=tab]")];
  composer.classList.add("collab-tabs-ready");
  tablist.hidden = false;
  for (const panel of composer.querySelectorAll("[data-tabpanel]")) {
    panel.setAttribute("role", "tabpanel");
  }
  const select = (tab, focus) => {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
    }
    if (focus) tab.focus();
  };
  tabs.forEach((tab, index) => {
    tab.addEventListener("click", () => select(tab, false));
    tab.addEventListener("keydown", (event) => {
      const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      select(tabs[(moves[event.key] + tabs.length) % tabs.length], true);
    });
  });
  select(tabs[0], false);
}

// --- Rich text ------------------------------------------------------------------------------

// Labels come translated from the textarea's data-text-* attributes.
const FORMATS = [
  { command: "bold", key: "textBold", label: "Bold", text: "B" },
  { command: "italic", key: "textItalic", label: "Italic", text: "I" },
  { command: "insertUnorderedList", key: "textBullets", label: "Bulleted list", text: "•" },
  { command: "insertOrderedList", key: "textNumbers", label: "Numbered list", text: "1." },
  { command: "createLink", key: "textLink", label: "Link", text: "🔗" },
];

function attachRichText(textarea) {
  if (textarea.dataset.richtextReady) return;
  textarea.dataset.richtextReady = "1";
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  const editor = document.createElement("div");
  editor.className = "collab-editor";
  editor.contentEditable = "true";
  editor.id = `${textarea.id}-editor`;
  editor.setAttribute("role", "textbox");
  editor.setAttribute("aria-multiline", "true");
  if (label) {
    label.id ||= nextId("label");
    editor.setAttribute("aria-labelledby", label.id);
    label.htmlFor = editor.id;
    label.addEventListener("click", () => editor.focus());
  }
  const toolbar = document.createElement("div");
  toolbar.className = "collab-toolbar";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", textarea.dataset.textToolbar || "Formatting");
  toolbar.setAttribute("aria-controls", editor.id);
  for (const format of FORMATS) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-secondary btn-sm";
    const label = textarea.dataset[format.key] || format.label;
    const symbol = document.createElement("span");
    symbol.setAttribute("aria-hidden", "true");
    symbol.textContent = format.text;
    const name = document.createElement("span");
    name.className = "visually-hidden";
    name.textContent = label;
    button.append(symbol, name);
    button.title = label;
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", () => {
      editor.focus();
      if (format.command === "createLink") {
        const url = window.prompt(textarea.dataset.textLinkPrompt || "Link address (https://…)");
        if (url && /^https?:\/\//i.test(url)) document.execCommand("createLink", false, url);
      } else {
        document.execCommand(format.command);
      }
      sync();
    });
    toolbar.append(button);
  }
  editor.innerHTML = textarea.value;
  const sync = () => { textarea.value = editor.innerHTML; };
  editor.addEventListener("input", sync);
  textarea.required = false; // a hidden control can't show the browser's message
  textarea.hidden = true;
  textarea.style.display = "none"; // form styles would otherwise show it again
  textarea.after(toolbar, editor);
  textarea.form?.addEventListener("submit", sync);
}

// --- Uploads ---------------------------------------------------------------------------------

function csrfToken(form) {
  return form.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
}

function setStatus(form, text, failed) {
  const status = form.querySelector("[data-upload-status]");
  status.textContent = text;
  status.classList.toggle("collab-upload-error", Boolean(failed));
}

function refreshPanel(section, message) {
  const url = section.dataset.filesPanel;
  return fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
    .then((response) => response.text())
    .then((html) => {
      const holder = document.createElement("div");
      holder.innerHTML = html.trim();
      const fresh = holder.firstElementChild;
      section.replaceWith(fresh);
      window.htmx?.process(fresh);
      attachAll(fresh);
      const form = fresh.querySelector("[data-upload]");
      if (form) {
        const progress = form.querySelector("[data-progress]");
        progress.hidden = false;
        progress.value = 100;
        setStatus(form, message, false);
      }
    });
}

function upload(form, file) {
  const progress = form.querySelector("[data-progress]");
  const data = new FormData();
  data.append("csrfmiddlewaretoken", csrfToken(form));
  data.append("file", file);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.setRequestHeader("Accept", "application/json");
  xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
  progress.hidden = false;
  progress.value = 0;
  const text = (key, fallback) => (form.dataset[key] || fallback).replace("{name}", file.name);
  setStatus(form, text("textUploading", "Uploading “{name}”…"), false);
  xhr.upload.addEventListener("progress", (event) => {
    if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
  });
  xhr.addEventListener("load", () => {
    let body = {};
    try { body = JSON.parse(xhr.responseText); } catch { /* not JSON: a server error page */ }
    if (xhr.status === 201) {
      refreshPanel(form.closest("[data-files-panel]"), text("textUploaded", "Uploaded “{name}”."));
    } else {
      progress.hidden = true;
      setStatus(form, body.error || text("textFailed", "The upload failed. Try again."), true);
    }
  });
  xhr.addEventListener("error", () => {
    progress.hidden = true;
    setStatus(form, text("textFailed", "The upload failed. Try again."), true);
  });
  xhr.send(data);
}

function attachUpload(form) {
  if (form.dataset.uploadReady) return;
  form.dataset.uploadReady = "1";
  const input = form.querySelector("input[type=file]");
  const zone = form.querySelector("[data-dropzone]");
  form.querySelector("[data-upload-submit]")?.setAttribute("hidden", "");
  input.addEventListener("change", () => { if (input.files.length) upload(form, input.files[0]); });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (input.files.length) upload(form, input.files[0]);
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("collab-dropzone-over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("collab-dropzone-over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("collab-dropzone-over");
    const file = event.dataTransfer?.files?.[0];
    if (file) upload(form, file);
  });
}

// --- Wiring ----------------------------------------------------------------------------------

function attachAll(root) {
  const scope = root instanceof Element || root instanceof Document ? root : document;
  const all = (selector) => [
    ...(scope instanceof Element && scope.matches(selector) ? [scope] : []),
    ...scope.querySelectorAll(selector),
  ];
  all("textarea[data-mentions]").forEach(attachMentions);
  all("[data-composer]").forEach(attachTabs);
  all("textarea[data-richtext]").forEach(attachRichText);
  all("form[data-upload]").forEach(attachUpload);
}

document.addEventListener("DOMContentLoaded", () => attachAll(document));
document.addEventListener("htmx:load", (event) => attachAll(event.detail?.elt || document));
