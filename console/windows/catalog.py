"""The catalog of the current tenant: products table, edit a product, open the import."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from msgspec.structs import replace
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QWidget,
)

from comandia.console.context import AppContext
from comandia.console.errors import field_problems, user_message
from comandia.console.models.proxy import SearchSortProxy
from comandia.console.models.records import product_columns
from comandia.console.models.table import RecordTableModel
from comandia.console.windows.base import Page, fit_columns
from comandia.console.windows.catalog_import import CatalogImportWindow
from comandia.shared.schemas.catalog import ProductInfo, ProductInput
from comandia.shared.schemas.wire import Amount


def product_input(product: ProductInfo) -> ProductInput:
    """The product as an update body, with every field it has now."""
    return ProductInput(
        sku=product.sku,
        name=product.name,
        price=Amount(product.price),
        currency=product.currency,
        description=product.description,
        category_id=product.category_id,
        available=product.available,
        stock=product.stock,
        image_url=product.image_url,
        sort_order=product.sort_order,
        extra=dict(product.extra),
        aliases=product.aliases,
    )


def aliases_from_text(text: str) -> tuple[str, ...]:
    """The aliases typed one per line (blank lines ignored); the server cleans and checks them."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


class ProductEditor(QDialog):
    """Edit name, other names (aliases), price, availability and stock of one product (non-modal).

    Signals:
        saved(object): the `ProductInfo` the server stored.
    """

    saved = Signal(object)

    def __init__(self, page: Page, tenant_id: str, product: ProductInfo) -> None:
        super().__init__(page)
        self.page, self.tenant_id, self.product = page, tenant_id, product
        tr = page.i18n
        self.setWindowTitle(f"{tr('catalog.edit')} — {product.sku}")
        self.name = QLineEdit(product.name)
        self.price = QLineEdit(str(product.price))
        self.available = QCheckBox()
        self.available.setChecked(product.available)
        self.stock = QSpinBox()
        self.stock.setRange(-1, 1_000_000)
        self.stock.setSpecialValueText("—")
        self.stock.setValue(-1 if product.stock is None else product.stock)
        self.aliases = QPlainTextEdit("\n".join(product.aliases))
        self.aliases.setPlaceholderText(tr("catalog.aliases_hint"))
        self.aliases.setToolTip(tr("catalog.aliases_hint"))
        self.aliases.setTabChangesFocus(True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setObjectName("error")  # red in the theme
        form = QFormLayout(self)
        form.addRow(tr("catalog.name"), self.name)
        form.addRow(tr("catalog.aliases"), self.aliases)
        form.addRow(tr("catalog.price"), self.price)
        form.addRow(tr("catalog.available"), self.available)
        form.addRow(tr("catalog.stock"), self.stock)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.close)
        form.addRow(buttons)

    def save(self) -> None:
        try:
            price = Decimal(self.price.text().replace(",", "."))
        except InvalidOperation:
            self.error.setText(self.page.i18n("error.validation"))
            return
        stock = None if self.stock.value() < 0 else self.stock.value()
        body = replace(
            product_input(self.product),
            name=self.name.text().strip(),
            price=Amount(price),
            available=self.available.isChecked(),
            stock=stock,
            aliases=aliases_from_text(self.aliases.toPlainText()),
        )
        tenant_id, product_id = self.tenant_id, self.product.id
        self.page.call(
            lambda client: client.catalog.update_product(tenant_id, product_id, body),
            self._saved,
            self._failed,
        )

    def _failed(self, error: BaseException) -> None:
        """Say what the server refused; an alias clash names the other product."""
        problems = field_problems(error)
        details = [f"{self.page.i18n('catalog.aliases')}: {p}" for f, p in problems.items() if f.startswith("aliases")]
        self.error.setText("\n".join([user_message(error, self.page.i18n), *details]) if details
                           else user_message(error, self.page.i18n))  # fmt: skip

    def _saved(self, product: ProductInfo) -> None:
        self.saved.emit(product)
        self.close()


class CatalogPage(Page):
    """Signals: inherited `message(str)`."""

    needs_tenant = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        tr = self.i18n
        self.model: RecordTableModel[ProductInfo] = RecordTableModel([], self)
        self.proxy = SearchSortProxy(self)
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("common.search"))
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        edit = QPushButton(tr("catalog.edit"))
        edit.clicked.connect(self.edit_selected)
        self.sold_out_button = QPushButton(tr("catalog.mark_sold_out"))
        self.sold_out_button.setEnabled(False)
        self.sold_out_button.clicked.connect(self.toggle_sold_out)
        self.import_button = QPushButton(tr("catalog.import"))
        self.import_button.clicked.connect(self.open_import)
        refresh = QPushButton(tr("common.refresh"))
        refresh.clicked.connect(self.reload)
        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        for button in (edit, self.sold_out_button, self.import_button, refresh):
            row.addWidget(button)
        self.table = QTableView()
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.body.addLayout(row)
        self.body.addWidget(self.table)
        self.editor: ProductEditor | None = None
        self.importer: CatalogImportWindow | None = None

    def reload(self) -> None:
        tenant = self.ctx.tenant
        if tenant is None:
            return
        tenant_id = tenant.id
        self.call(lambda client: client.catalog.list_products(tenant_id), self._loaded)

    def _loaded(self, products: list[ProductInfo]) -> None:
        self.model = RecordTableModel(product_columns(self.i18n, self.ctx.fmt), self)
        self.model.set_rows(products)
        self.proxy.setSourceModel(self.model)
        self.table.setModel(self.proxy)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self._selection_changed()
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        fit_columns(self.table, self.model)
        self.message.emit(self.i18n("common.rows", count=len(products)))

    def selected(self) -> ProductInfo | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.record(self.proxy.mapToSource(rows[0]).row()) if rows else None

    def _selection_changed(self) -> None:
        product = self.selected()
        self.sold_out_button.setEnabled(product is not None)
        key = "catalog.back_on_sale" if product is not None and not product.available else "catalog.mark_sold_out"
        self.sold_out_button.setText(self.i18n(key))

    def toggle_sold_out(self) -> None:
        """Mark the selected product sold out, or back on sale, in one click (nothing else changes)."""
        product = self.selected()
        if product is None or self.ctx.tenant is None:
            return
        tenant_id, product_id, available = self.ctx.tenant.id, product.id, not product.available
        self.sold_out_button.setEnabled(False)
        self.call(
            lambda client: client.catalog.set_available(tenant_id, product_id, available),
            self._toggled,
            on_settled=self._selection_changed,
        )

    def _toggled(self, product: ProductInfo) -> None:
        key = "catalog.now_available" if product.available else "catalog.now_sold_out"
        self.reload()
        self.message.emit(self.i18n(key, name=product.name))

    def edit_selected(self) -> ProductEditor | None:
        product = self.selected()
        if product is None or self.ctx.tenant is None:
            return None
        self.editor = ProductEditor(self, self.ctx.tenant.id, product)
        self.editor.saved.connect(lambda _p: self.reload())
        self.editor.show()
        return self.editor

    def open_import(self) -> CatalogImportWindow | None:
        if self.ctx.tenant is None:
            return None
        self.importer = CatalogImportWindow(self.ctx, self.ctx.tenant.id, self)
        self.importer.applied.connect(lambda _r: self.reload())
        self.importer.show()
        return self.importer
