/// <reference lib="dom" />
/** The staff console's entry point, loaded by the page at `/staff` (web/staff/index.html). */
import { browserStorage } from "../widget/session.js";
import { startStaffConsole } from "./app.js";

const root = document.getElementById("app");
if (root)
  startStaffConsole({
    root,
    storage: browserStorage("sessionStorage"),
    persistent: browserStorage("localStorage"),
  });
