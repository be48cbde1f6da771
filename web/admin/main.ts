/// <reference lib="dom" />
/** The admin console's entry point, loaded by the page at `/admin` (web/admin/index.html). */
import { browserStorage } from "../widget/session.js";
import { startAdminConsole } from "./app.js";

const root = document.getElementById("app");
if (root) startAdminConsole({ root, storage: browserStorage("sessionStorage") });
