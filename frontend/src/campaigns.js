// Campaigns: the editor shows only the parts that apply (the date for a scheduled send, the
// fallback zone for "each recipient's time zone", the A/B details for a test), and the
// review section says when there are unsaved changes instead of sending a stale campaign.

function checkedValue(form, name) {
  return form.querySelector(`[name=${name}]:checked`)?.value || "";
}

function showOnly(form) {
  const schedule = checkedValue(form, "schedule");
  const ab = checkedValue(form, "ab_test");
  const details = form.querySelector("[data-schedule-details]");
  if (details) details.hidden = schedule === "now";
  const zone = form.querySelector("[data-recipient-zone]");
  if (zone) zone.hidden = schedule !== "recipient_time";
  const abDetails = form.querySelector("[data-ab-details]");
  if (abDetails) abDetails.hidden = ab === "none";
  form.querySelectorAll("[data-ab-hint]").forEach((hint) => {
    hint.hidden = hint.dataset.abHint !== ab;
  });
  form.querySelectorAll("[data-ab-only]").forEach((cell) => {
    cell.hidden = cell.dataset.abOnly !== ab;
  });
  const single = form.querySelector("[data-single-email]");
  if (single) single.hidden = ab === "content";
}

function markUnsaved() {
  const notice = document.querySelector("[data-unsaved]");
  const button = document.querySelector("[data-launch-button]");
  if (notice) notice.hidden = false;
  if (button) button.disabled = true;
}

function startEditor(form) {
  showOnly(form);
  form.addEventListener("change", (event) => {
    showOnly(form);
    if (event.target.name) markUnsaved();
  });
  form.addEventListener("input", (event) => {
    if (event.target.name) markUnsaved();
  });
}

document.querySelectorAll("[data-campaign-form]").forEach(startEditor);
