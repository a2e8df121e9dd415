// Scaffold: replaced by the shell work (issue 7).
import { Outlet } from "react-router";
export function LoginPage() {
  return <div><h1>LoginPage</h1><Outlet /></div>;
}
