// Tracking: behaviour for the tracking pages.
