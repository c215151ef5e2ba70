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
