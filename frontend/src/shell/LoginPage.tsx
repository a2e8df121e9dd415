/**
 * The sign-in page (/desk/login). Refine's useLogin posts the credentials through the auth
 * provider and then goes to `?to=` (the page the user was sent away from) or the dashboard.
 */
import { useIsAuthenticated, useLogin } from "@refinedev/core";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useLocation, useNavigate } from "react-router";
import { Banner, Button, Input } from "../components/ui";
import { frameworkConfig } from "../config";
import { RETURN_PARAM, safeReturnPath, type LoginParams } from "../providers/authProvider";

export function LoginPage() {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const auth = useIsAuthenticated({ queryOptions: { refetchOnMount: "always" } });
  const { mutate: login, isPending } = useLogin<LoginParams>();
  const [error, setError] = useState<string | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);

  const requested = new URLSearchParams(location.search).get(RETURN_PARAM);
  const returnTo = safeReturnPath(requested);

  // Nothing of a previous user stays in memory once the shell is gone (Refine's auth state
  // excepted: it is what says nobody is signed in).
  useEffect(() => {
    queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== "auth" });
  }, [queryClient]);

  // Refine's useLogin follows `?to=` as given: drop one that would leave the Desk.
  useEffect(() => {
    if (requested !== null && returnTo !== requested) navigate(location.pathname, { replace: true });
  }, [requested, returnTo, navigate, location.pathname]);

  // Already signed in (and not a cached answer from before a logout): nothing to do here.
  if (auth.data?.authenticated && !auth.isFetching) return <Navigate to={returnTo} replace />;

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setError(null);
    login(
      { email: String(data.get("email") ?? "").trim(), password: String(data.get("password") ?? ""), redirectTo: returnTo },
      {
        onSuccess: (result) => {
          if (!result.success) {
            setError(result.error?.message ?? t("Sign-in failed."));
            emailRef.current?.focus();
          }
        },
        onError: (err) => setError(err.message),
      },
    );
  };

  return (
    <main className="login-page" id="content">
      <form className="login-card card" onSubmit={onSubmit} noValidate={false}>
        <h1 className="login-title">{t("Sign in to {{app}}", { app: frameworkConfig().appName })}</h1>
        {error && (
          <Banner tone="danger" role="alert">
            {t(error)}
          </Banner>
        )}
        <div className="field">
          <label className="label" htmlFor="login-email">
            {t("Email")}
          </label>
          <Input ref={emailRef} id="login-email" name="email" type="email" autoComplete="username" required autoFocus />
        </div>
        <div className="field">
          <label className="label" htmlFor="login-password">
            {t("Password")}
          </label>
          <Input id="login-password" name="password" type="password" autoComplete="current-password" required />
        </div>
        <Button type="submit" variant="primary" busy={isPending} className="login-submit">
          {t("Sign in")}
        </Button>
      </form>
    </main>
  );
}
