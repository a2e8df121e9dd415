import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "./styles/theme.css";
import "./styles/base.css";
import "./styles/shell.css";
import "./i18n";
import { initTheme } from "./theme/theme";
import { App } from "./App";

// Before the first paint: no flash of the light theme for a dark-theme user.
initTheme();

createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
