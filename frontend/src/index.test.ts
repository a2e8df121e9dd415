import { describe, expect, it } from "vitest";
import * as desk from ".";

describe("library entry", () => {
  it("exports the components, providers and hooks an app's own pages use", () => {
    for (const name of ["AutoForm", "AutoTable", "DeskApp", "useDocTypeMeta", "useDocTypeList", "useDocumentSearch", "useTheme", "api", "createDataProvider", "createAuthProvider", "createLiveProvider"] as const) {
      expect(typeof desk[name], name).toBe("function");
    }
    expect(typeof desk.dataProvider.getList).toBe("function");
    expect(typeof desk.liveProvider.subscribe).toBe("function");
    expect(new desk.ApiError(422, "validation_error", "x").statusCode).toBe(422);
    expect(desk.i18n.t("New {{label}}", { label: "Ticket" })).toBe("New Ticket");
  });
});
