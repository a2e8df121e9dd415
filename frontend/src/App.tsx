/**
 * Routes of the Desk (under /desk): /login, /app (dashboard), /app/{doctype} (list),
 * /app/{doctype}/new and /app/{doctype}/{id} (form). List and form load on demand, so the
 * login page and the shell stay in the small initial bundle.
 */
import { lazy, Suspense } from "react";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { QueryClientProvider } from "@tanstack/react-query";
import { frameworkConfig } from "./config";
import { queryClient } from "./providers/queryClient";
import { Spinner } from "./components/ui";
import { LoginPage } from "./shell/LoginPage";
import { Layout } from "./shell/Layout";
import { Dashboard } from "./shell/Dashboard";

const ListView = lazy(() => import("./list/ListView"));
const FormView = lazy(() => import("./form/FormView"));

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter basename={frameworkConfig().deskBase}>
        <Suspense fallback={<Spinner />}>
          <Routes>
            <Route path="/login" element={<LoginPage />} />
            <Route path="/app" element={<Layout />}>
              <Route index element={<Dashboard />} />
              <Route path=":doctype" element={<ListView />} />
              <Route path=":doctype/new" element={<FormView />} />
              <Route path=":doctype/:id" element={<FormView />} />
            </Route>
            <Route path="*" element={<Navigate to="/app" replace />} />
          </Routes>
        </Suspense>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
