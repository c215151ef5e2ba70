// Campaigns: behaviour for the campaigns pages.
