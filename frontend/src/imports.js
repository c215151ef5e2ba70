// The import wizard: drag a file onto the upload area; Enter in a "create property" field
// creates that property instead of submitting the mapping.

function describeFile(zone, input) {
  const out = zone.querySelector("[data-dropzone-file]");
  if (!out) return;
  const file = input.files && input.files[0];
  out.textContent = file ? `${file.name} (${Math.max(1, Math.round(file.size / 1024))} KB)` : "";
}

document.addEventListener("dragover", (event) => {
  const zone = event.target.closest?.("[data-dropzone]");
  if (!zone) return;
  event.preventDefault();
  zone.classList.add("is-dragging");
});

document.addEventListener("dragleave", (event) => {
  const zone = event.target.closest?.("[data-dropzone]");
  if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("is-dragging");
});

document.addEventListener("drop", (event) => {
  const zone = event.target.closest?.("[data-dropzone]");
  if (!zone) return;
  event.preventDefault();
  zone.classList.remove("is-dragging");
  const input = zone.querySelector("input[type=file]");
  if (!input || !event.dataTransfer?.files?.length) return;
  input.files = event.dataTransfer.files;
  describeFile(zone, input);
});

document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
  const zone = input.closest("[data-dropzone]");
  if (zone) describeFile(zone, input);
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter") return;
  const field = event.target.closest?.("[data-create-input]");
  if (!field) return;
  event.preventDefault();
  const button = field.form?.querySelector(
    `[data-create-button="${field.dataset.createInput}"]`);
  button?.click();
});

// Upload: each record type starts matched by its natural key (contacts by email, companies by
// domain, deals by record id) until the person picks another.
const NATURAL_KEY = { contact: "email", "contact+company": "email", company: "domain", deal: "id" };

document.addEventListener("change", (event) => {
  const form = event.target.closest?.("[data-import-upload]");
  if (!form) return;
  const matchBy = form.querySelector("select[name=match_by]");
  if (!matchBy) return;
  if (event.target === matchBy) {
    matchBy.dataset.chosen = "yes";
    return;
  }
  if (event.target.name === "object_type" && matchBy.dataset.chosen !== "yes") {
    matchBy.value = NATURAL_KEY[event.target.value] || matchBy.value;
  }
});
