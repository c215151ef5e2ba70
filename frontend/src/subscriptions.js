// Subscriptions: behaviour for the subscriptions pages.
