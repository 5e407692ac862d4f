// Browser pages: the harness waits for window.run402Check, then calls it.
import { check } from "./check.js";

window.run402Check = check;
