// Sending: behaviour for the sending pages.
