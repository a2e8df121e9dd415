import { afterEach, describe, expect, it, vi } from "vitest";
import { csvField, csvFilename, csvValue, downloadCsv, toCsv } from "./csv";
import { field, ticket } from "./__fixtures__/ticketMeta";

afterEach(() => vi.restoreAllMocks());

describe("csvField", () => {
  it("quotes only what needs it and doubles quotes", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("line\nbreak")).toBe('"line\nbreak"');
    expect(csvField("cr\rlf")).toBe('"cr\rlf"');
    expect(csvField(" padded")).toBe('" padded"');
    expect(csvField("")).toBe("");
  });
});

describe("csvValue", () => {
  it("writes machine-readable values", () => {
    expect(csvValue(field("urgent", "Urgent", "check"), true)).toBe("true");
    expect(csvValue(field("visits", "Visits", "int"), 3)).toBe("3");
    expect(csvValue(field("amount", "Amount", "currency"), "-12.50")).toBe("-12.50");
    expect(csvValue(field("due", "Due", "date"), "2026-12-01")).toBe("2026-12-01");
    expect(csvValue(field("meta", "Meta", "json"), { a: 1 })).toBe('{"a":1}');
    expect(csvValue(field("x", "X", "data"), null)).toBe("");
  });

  it("defuses text a spreadsheet would run as a formula", () => {
    expect(csvValue(field("subject", "Subject", "data"), "=HYPERLINK(\"http://x\")")).toBe("'=HYPERLINK(\"http://x\")");
    expect(csvValue(field("subject", "Subject", "data"), "-5 degrees")).toBe("'-5 degrees");
    expect(csvValue(field("subject", "Subject", "data"), "@sum")).toBe("'@sum");
  });
});

describe("toCsv", () => {
  it("has an ID column, the labels as header, CRLF line ends and quoted fields", () => {
    const fields = [field("subject", "Subject, short", "data"), field("status", "Status", "select"), field("urgent", "Urgent", "check")];
    const rows = [ticket(1, { subject: 'The "printer", again\nand again', urgent: true }), ticket(2, { status: null })];
    expect(toCsv(rows, fields)).toBe(
      'ID,"Subject, short",Status,Urgent\r\n' +
        `${ticket(1).id},"The ""printer"", again\nand again",Open,true\r\n` +
        `${ticket(2).id},Ticket number 2,,false\r\n`,
    );
  });
});

describe("downloads", () => {
  it("names the file after the DocType and the day", () => {
    expect(csvFilename("Sales Order", new Date(2026, 0, 5))).toBe("Sales_Order-2026-01-05.csv");
  });

  it("offers the CSV as a UTF-8 Blob through a temporary link", async () => {
    const blobs: Blob[] = [];
    const createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return "blob:desk/1";
    });
    // jsdom has no Blob URLs.
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    downloadCsv("ID\r\n1\r\n", "Ticket-2026-11-21.csv");
    expect(clicked).toHaveLength(1);
    expect(clicked[0]!.download).toBe("Ticket-2026-11-21.csv");
    expect(clicked[0]!.href).toBe("blob:desk/1");
    expect(clicked[0]!.isConnected).toBe(false);
    expect(blobs[0]!.type).toBe("text/csv;charset=utf-8");
    const bytes = new Uint8Array(await blobs[0]!.arrayBuffer());
    expect(Array.from(bytes.slice(0, 3))).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes.slice(3))).toBe("ID\r\n1\r\n");
  });
});
