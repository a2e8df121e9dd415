"""Names: what ``m new:app`` and ``m new:doctype`` accept, derive and refuse."""

from __future__ import annotations

import pytest

from framework_m_studio.scaffold.names import ScaffoldError, app_name, doctype_name, site_name


@pytest.mark.parametrize(
    ("raw", "package", "distribution"),
    [
        ("crm", "crm", "crm"),
        ("my_app", "my_app", "my-app"),
        ("my-app", "my_app", "my-app"),
        ("  helpdesk2  ", "helpdesk2", "helpdesk2"),
    ],
)
def test_valid_app_names(raw: str, package: str, distribution: str) -> None:
    name = app_name(raw)
    assert (name.package, name.distribution) == (package, distribution)


def test_app_title_is_words() -> None:
    assert app_name("my_help_desk").title == "My Help Desk"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "lowercase letters"),
        ("MyApp", "lowercase letters"),
        ("1app", "lowercase letters"),
        ("my app", "lowercase letters"),
        ("my__app", "lowercase letters"),
        ("my_app_", "lowercase letters"),
        ("my.app", "lowercase letters"),
        ("../evil", "lowercase letters"),
        ("import", "keyword"),
        ("json", "shadow the module 'json'"),
        ("framework_m", "shadow the module"),
        ("framework-m-core", "shadow the module 'framework_m_core'"),
        ("test_app", "starting with 'test'"),
        ("tests", "starting with 'test'"),
        ("a" * 33, "at most 32"),
    ],
)
def test_invalid_app_names_say_why(raw: str, reason: str) -> None:
    with pytest.raises(ScaffoldError, match="Invalid app name") as caught:
        app_name(raw)
    assert reason in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "class_name", "module", "label"),
    [
        ("Note", "Note", "note", "Note"),
        ("SalesInvoice", "SalesInvoice", "sales_invoice", "Sales Invoice"),
        ("Sales Invoice", "SalesInvoice", "sales_invoice", "Sales Invoice"),
        ("sales_invoice", "SalesInvoice", "sales_invoice", "Sales Invoice"),
        ("sales-invoice item", "SalesInvoiceItem", "sales_invoice_item", "Sales Invoice Item"),
        ("salesInvoice", "SalesInvoice", "sales_invoice", "Sales Invoice"),
        ("HTTPLog", "HTTPLog", "http_log", "Http Log"),
        ("Invoice2", "Invoice2", "invoice2", "Invoice2"),
        ("Email", "Email", "email", "Email"),  # a stdlib name is fine inside the app package
    ],
)
def test_doctype_names(raw: str, class_name: str, module: str, label: str) -> None:
    name = doctype_name(raw)
    assert (name.class_name, name.module, name.label) == (class_name, module, label)
    assert name.controller == f"{class_name}Controller"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "use letters and digits"),
        ("   ", "use letters and digits"),
        ("2Fast", "use letters and digits"),
        ("Sales.Invoice", "use letters and digits"),
        ("Note!", "use letters and digits"),
        ("Invoice 2", "use letters and digits"),
        ("TestRun", "would never load"),
        ("test", "would never load"),
        ("Testimonial", "would never load"),  # the loader's rule, however innocent the name
        ("class", "keyword"),
        ("None", "keyword"),
        ("User", "built-in"),  # the framework's own DocType
        ("Api Key", "built-in"),
        ("Controller", "built-in"),
        ("X" + "y" * 48, "at most 48"),
    ],
)
def test_invalid_doctype_names_say_why(raw: str, reason: str) -> None:
    with pytest.raises(ScaffoldError, match="Invalid DocType name") as caught:
        doctype_name(raw)
    assert reason in str(caught.value)


@pytest.mark.parametrize("raw", ["erp", "erp.example.com", "site-1", "2026_books"])
def test_valid_site_names(raw: str) -> None:
    assert site_name(f" {raw} ") == raw


@pytest.mark.parametrize("raw", ["", "Erp", "../up", "a/b", ".hidden", "-x", "a..b", "x" * 64])
def test_invalid_site_names(raw: str) -> None:
    with pytest.raises(ScaffoldError, match="Invalid site name"):
        site_name(raw)
