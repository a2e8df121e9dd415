/**
 * Routes of the Desk (under /desk): /login, /app (dashboard), /app/{doctype} (list),
 * /app/{doctype}/new and /app/{doctype}/{id} (form), inside <Refine> with the Framework M
 * data, auth and live providers. List and form load on demand, so the login page and the
 * shell stay in the small initial bundle.
 */
import "./i18n";
import { Refine, type LiveProvider } from "@refinedev/core";
import routerProvider from "@refinedev/react-router";
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useMemo, useState, type ReactNode } from "react";
import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation } from "react-router";
import { useDocTypeList } from "./api/meta";
import { Spinner } from "./components/ui";
import { frameworkConfig } from "./config";
import { createAuthProvider } from "./providers/authProvider";
import { dataProvider } from "./providers/dataProvider";
import { liveProvider as sharedLiveProvider, type FrameworkLiveProvider } from "./providers/liveProvider";
import { queryClient as sharedQueryClient } from "./providers/queryClient";
import { toResources } from "./providers/resources";
import { Dashboard } from "./shell/Dashboard";
import { Layout } from "./shell/Layout";
import { LoginPage } from "./shell/LoginPage";

const ListView = lazy(() => import("./list/ListView"));
const FormView = lazy(() => import("./form/FormView"));

export interface AppProps {
  /** Tests give each render its own cache and a live provider without a real socket. */
  queryClient?: QueryClient;
  liveProvider?: FrameworkLiveProvider | LiveProvider;
}

/** <Refine> with resources from GET /api/meta (none until the user has signed in). */
function DeskRefine({ children, queryClient, liveProvider }: { children: ReactNode; queryClient: QueryClient; liveProvider: FrameworkLiveProvider | LiveProvider }) {
  const location = useLocation();
  const onLoginPage = location.pathname === frameworkConfig().loginUrl;
  const doctypes = useDocTypeList({ enabled: !onLoginPage });
  const resources = useMemo(() => toResources(doctypes.data ?? []), [doctypes.data]);
  const authProvider = useMemo(
    () =>
      createAuthProvider({
        onSessionChange: (kind) => {
          if (kind === "logout") {
            // The socket is the signed-out user's; cached data is dropped by the login page.
            if ("connection" in liveProvider) liveProvider.connection.reset();
          } else {
            void queryClient.invalidateQueries({ queryKey: ["meta"] });
          }
        },
      }),
    [queryClient, liveProvider],
  );
  return (
    <Refine
      dataProvider={dataProvider}
      authProvider={authProvider}
      liveProvider={liveProvider}
      routerProvider={routerProvider}
      resources={resources}
      options={{
        liveMode: "auto",
        disableTelemetry: true,
        syncWithLocation: false,
        warnWhenUnsavedChanges: false,
        reactQuery: { clientConfig: queryClient },
      }}
    >
      {children}
    </Refine>
  );
}

/**
 * A data router (createBrowserRouter), not <BrowserRouter>: only a data router lets a form
 * with unsaved changes block the browser's back and forward buttons (useBlocker).
 */
function createDeskRouter(queryClient: QueryClient, liveProvider: FrameworkLiveProvider | LiveProvider) {
  return createBrowserRouter(
    [
      {
        element: (
          <DeskRefine queryClient={queryClient} liveProvider={liveProvider}>
            <Suspense fallback={<Spinner />}>
              <Outlet />
            </Suspense>
          </DeskRefine>
        ),
        children: [
          { path: "/login", element: <LoginPage /> },
          {
            path: "/app",
            element: <Layout />,
            children: [
              { index: true, element: <Dashboard /> },
              { path: ":doctype", element: <ListView /> },
              { path: ":doctype/new", element: <FormView /> },
              { path: ":doctype/:id", element: <FormView /> },
            ],
          },
          { path: "*", element: <Navigate to="/app" replace /> },
        ],
      },
    ],
    { basename: frameworkConfig().deskBase },
  );
}

export function App({ queryClient = sharedQueryClient, liveProvider = sharedLiveProvider }: AppProps = {}) {
  // One router per mounted Desk: it owns the history listener.
  const [router] = useState(() => createDeskRouter(queryClient, liveProvider));
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
