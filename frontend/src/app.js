// Clarion's small layer of behaviour on top of server-rendered pages and htmx.
import "./shell.js";
import "./modal.js";
import "./toast.js";
import "./contrast.js";
import "./tables.js";
import "./board.js";
import "./live.js";
import "./filter-builder.js";
import "./search.js";
import "./segments.js";
import "./collab.js";
import "./notifications.js";
import "./chat.js";
import "./imports.js";
import "./tasks.js";
