/**
 * The Desk as a library: what an app needs to build its own pages with Framework M's
 * metadata-driven pieces — AutoForm and AutoTable (props-driven, no fetching of their own),
 * the Refine providers (data, auth, live), the API client and metadata hooks, the theme.
 *
 *   import { AutoTable, useDocTypeMeta, dataProvider } from "<desk>/src";
 *
 * AutoForm and AutoTable pull in RJSF and TanStack Table: import them where they are used
 * (or lazily) so they stay out of a page's first bundle.
 */
import "./i18n";

// Components
export { AutoForm, type AutoFormHandle, type AutoFormProps, type DocValue } from "./form/AutoForm";
export { AutoTable, type AutoTableProps, type RowSelectionState, type SortingState } from "./list/AutoTable";
export { Banner, Button, ConfirmDialog, Dialog, Input, Spinner, type ButtonProps, type ConfirmDialogProps } from "./components/ui";
/** The whole Desk (routes, shell, providers), for an app that mounts it itself. */
export { App as DeskApp, type AppProps as DeskAppProps } from "./App";

// Refine providers
export { createDataProvider, customUrls, dataProvider, escapeLike, listQuery, resourcePath, toApiFilters, toOrderBy, type FrameworkMeta } from "./providers/dataProvider";
export { createAuthProvider, loginPathReturningTo, safeReturnPath, type AuthProviderOptions, type Identity, type LoginParams } from "./providers/authProvider";
export {
  createLiveProvider,
  LiveConnection,
  liveProvider,
  parseChannel,
  streamUrl,
  type FrameworkLiveEvent,
  type FrameworkLiveProvider,
  type LiveOptions,
  type LiveStatus,
} from "./providers/liveProvider";
export { deskPaths, toResources } from "./providers/resources";
export { queryClient } from "./providers/queryClient";

// API client and hooks
export { ApiError, api, apiUrl, readCookie, type FieldError, type FieldErrorMap, type RequestOptions } from "./api/http";
export { fetchDocTypeList, fetchDocTypeMeta, metaKeys, useDocTypeList, useDocTypeMeta } from "./api/meta";
export { hitLabel, searchDocuments, searchKeys, useDocumentSearch, type SearchOptions } from "./api/search";
export type * from "./api/types";
export { frameworkConfig, type FrameworkConfig } from "./config";

// Theme and strings
export { initTheme, preferredTheme, setTheme, useTheme, type Theme } from "./theme/theme";
export { default as i18n } from "./i18n";
