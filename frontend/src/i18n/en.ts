/**
 * English UI strings. Keys are the English text, so this table is mostly identity: it lists
 * what a translator has to translate (copy it as de.ts, fr.ts, ... and translate the values).
 * The list and form strings fall back to their keys until they are added here.
 */
export const en: Record<string, string> = {
  // Sign-in
  "Sign in to {{app}}": "Sign in to {{app}}",
  Email: "Email",
  Password: "Password",
  "Sign in": "Sign in",
  "Sign-in failed.": "Sign-in failed.",
  "Wrong email or password.": "Wrong email or password.",
  "Too many attempts. Wait a minute and try again.": "Too many attempts. Wait a minute and try again.",
  "Checking your session": "Checking your session",
  "The server cannot be reached. Check your connection and try again.": "The server cannot be reached. Check your connection and try again.",
  Retry: "Retry",
  // Shell
  "Skip to content": "Skip to content",
  Menu: "Menu",
  DocTypes: "DocTypes",
  "Search DocTypes": "Search DocTypes",
  "Loading DocTypes": "Loading DocTypes",
  "The DocTypes could not be loaded.": "The DocTypes could not be loaded.",
  "No DocType matches": "No DocType matches",
  "No DocTypes to show": "No DocTypes to show",
  Other: "Other",
  Search: "Search",
  Notifications: "Notifications",
  "No notifications": "No notifications",
  "Switch to dark theme": "Switch to dark theme",
  "Switch to light theme": "Switch to light theme",
  "Log out": "Log out",
  // Dashboard
  Dashboard: "Dashboard",
  "Recent documents": "Recent documents",
  "Loading recent documents": "Loading recent documents",
  "Recent documents could not be loaded.": "Recent documents could not be loaded.",
  "No documents yet.": "No documents yet.",
  "Quick links": "Quick links",
  "New {{label}}": "New {{label}}",
  // Command palette
  "Command palette": "Command palette",
  "Search or type a command": "Search or type a command",
  Results: "Results",
  Commands: "Commands",
  Documents: "Documents",
  "Go to {{label}}": "Go to {{label}}",
  Searching: "Searching",
  "Document search failed.": "Document search failed.",
  "No results": "No results",
};
