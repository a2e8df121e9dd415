import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { installDomPolyfills, installFakeDesk, renderDesk, type FakeDesk } from "./testing/fakeDesk";

let desk: FakeDesk;
beforeEach(() => {
  installDomPolyfills();
  localStorage.clear();
});
afterEach(() => desk.fake.restore());

describe("signing in", () => {
  it("sends a signed-out visitor to the login page and back to where they were going", async () => {
    desk = installFakeDesk({ signedIn: false });
    renderDesk("/app/Customer?sort=name");
    const email = await screen.findByLabelText("Email");
    expect(window.location.pathname).toBe("/desk/login");
    expect(new URLSearchParams(window.location.search).get("to")).toBe("/app/Customer?sort=name");

    const user = userEvent.setup();
    await user.type(email, "ada@helpdesk.example");
    await user.type(screen.getByLabelText("Password"), "wrong");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong email or password.");
    expect(window.location.pathname).toBe("/desk/login");

    await user.clear(screen.getByLabelText("Password"));
    await user.type(screen.getByLabelText("Password"), "right-password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(window.location.pathname).toBe("/desk/app/Customer"));
    expect(window.location.search).toBe("?sort=name");
    expect(desk.requests("/api/v1/auth/login", "POST").at(-1)?.body).toEqual({ email: "ada@helpdesk.example", password: "right-password" });
  });

  it("goes to the dashboard by default, and away from the login page when already signed in", async () => {
    desk = installFakeDesk({ signedIn: false });
    renderDesk("/login");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Email"), "ada@helpdesk.example");
    await user.type(screen.getByLabelText("Password"), "right-password");
    await user.keyboard("{Enter}");
    expect(await screen.findByRole("heading", { level: 1, name: "Dashboard" })).toBeInTheDocument();
    expect(window.location.pathname).toBe("/desk/app");
  });

  it("ignores a return path that leaves the Desk", async () => {
    desk = installFakeDesk({ signedIn: false });
    renderDesk("/login?to=%2F%2Fevil.example%2Fphish");
    await screen.findByLabelText("Email");
    await waitFor(() => expect(window.location.search).toBe(""));
  });

  it("shows a signed-in user the page itself", async () => {
    desk = installFakeDesk({ signedIn: true });
    renderDesk("/login");
    expect(await screen.findByRole("heading", { level: 1, name: "Dashboard" })).toBeInTheDocument();
  });
});
