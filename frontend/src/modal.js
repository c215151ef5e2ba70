// Modals are native <dialog class="modal"> elements: any element with
// data-modal-open="<dialog id>" opens one, data-modal-close inside it closes it, Esc closes
// it (the browser does that), and focus goes back to the element that opened it.

const openers = new WeakMap();

document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-modal-open]");
  if (opener) {
    const dialog = document.getElementById(opener.dataset.modalOpen);
    if (!(dialog instanceof HTMLDialogElement)) return;
    event.preventDefault();
    openers.set(dialog, opener);
    dialog.showModal();
    return;
  }
  const closer = event.target.closest("[data-modal-close]");
  if (closer) {
    closer.closest("dialog")?.close();
    return;
  }
  // A click on the backdrop lands on the dialog element itself.
  if (event.target instanceof HTMLDialogElement && event.target.classList.contains("modal")) {
    const box = event.target.getBoundingClientRect();
    const inside = event.clientX >= box.left && event.clientX <= box.right
      && event.clientY >= box.top && event.clientY <= box.bottom;
    if (!inside) event.target.close();
  }
});

document.addEventListener("close", (event) => {
  const dialog = event.target;
  if (!(dialog instanceof HTMLDialogElement)) return;
  const opener = openers.get(dialog);
  openers.delete(dialog);
  if (opener && opener.isConnected) opener.focus();
}, true);
