"""One order: items, customer, address, history, and a button per allowed next status (If-Match)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from comandia.console.context import AppContext
from comandia.console.fulfilment import fulfilment_line
from comandia.console.models.records import actor_label, channel_label, order_item_columns
from comandia.console.models.table import RecordTableModel
from comandia.console.windows.base import Page, fit_columns
from comandia.shared.client import ConflictError
from comandia.shared.schemas.orders import OrderDetail, OrderItemInfo


class OrderDetailWindow(Page):
    """A separate, non-modal window for one order.

    Signals:
        changed(object): the order moved to another status (the new `OrderDetail`).
    """

    changed = Signal(object)

    def __init__(self, ctx: AppContext, tenant_id: str, order_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, None)
        self.setParent(parent, Qt.WindowType.Window)
        self.tenant_id, self.order_id = tenant_id, order_id
        self.order: OrderDetail | None = None
        self.resize(720, 560)
        self.header = QLabel()
        self.header.setStyleSheet("font-size: 15px; font-weight: bold")
        self.customer = QLabel()
        self.address = QLabel()
        self.address.setWordWrap(True)
        self.fulfilment = QLabel()
        self.fulfilment.setWordWrap(True)
        self.totals = QLabel()
        self.items: RecordTableModel[OrderItemInfo] = RecordTableModel([], self)
        self.items_view = QTableView()
        self.items_view.setModel(self.items)
        self.items_view.horizontalHeader().setStretchLastSection(True)
        self.history = QListWidget()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.i18n("detail.reason"))
        self.action_row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        info = QGroupBox(self.i18n("detail.customer"))
        info_layout = QVBoxLayout(info)
        info_layout.addWidget(self.customer)
        info_layout.addWidget(self.address)
        info_layout.addWidget(self.fulfilment)
        history = QGroupBox(self.i18n("detail.history"))
        QVBoxLayout(history).addWidget(self.history)
        self.body.addWidget(self.header)
        self.body.addWidget(info)
        self.body.addWidget(QLabel(self.i18n("detail.items")))
        self.body.addWidget(self.items_view, 2)
        self.body.addWidget(self.totals)
        self.body.addWidget(history, 1)
        self.body.addWidget(self.reason)
        self.body.addLayout(self.action_row)
        self.reload()

    def reload(self) -> None:
        tenant_id, order_id = self.tenant_id, self.order_id
        self.call(lambda client: client.orders.get(tenant_id, order_id), self.show_order)

    def show_order(self, order: OrderDetail) -> None:
        self.order = order
        tr, fmt = self.i18n, self.ctx.fmt
        self.setWindowTitle(tr("detail.title", number=order.number))
        why = f" ({order.cancel_reason})" if order.status == "cancelled" and order.cancel_reason else ""
        self.header.setText(
            f"{tr('detail.title', number=order.number)} — {tr('status.' + order.status)}{why}"
            f" · {channel_label(order.channel, tr)}"
        )
        self.customer.setText(f"{order.customer_name or ''} · {order.customer_phone}")
        place = ", ".join(p for p in (order.delivery_address, order.delivery_city, order.delivery_region) if p)
        notes = f"\n{tr('detail.notes')}: {order.notes}" if order.notes else ""
        self.address.setText(f"{tr('detail.address')}: {place}{notes}")
        self.fulfilment.setText(fulfilment_line(tr, fmt, order))
        self.items.set_rows([])
        self.items = RecordTableModel(order_item_columns(tr, fmt, order.currency), self)
        self.items.set_rows(order.items)
        self.items_view.setModel(self.items)
        fit_columns(self.items_view, self.items)  # product names and notes whole, not cut to '…'
        self.totals.setText(
            tr(
                "detail.subtotal",
                subtotal=fmt.money(order.subtotal, order.currency),
                fee=fmt.money(order.delivery_fee, order.currency),
                total=fmt.money(order.total, order.currency),
            )
        )
        self.history.clear()
        for change in order.history:
            before = tr(f"status.{change.from_status}") if change.from_status else "—"
            reason = f" ({change.reason})" if change.reason else ""
            after, who = tr("status." + change.to_status), actor_label(change.actor, tr)
            self.history.addItem(f"{fmt.instant(change.at)}  {before} → {after}  · {who}{reason}")
        for button in self.buttons.values():
            self.action_row.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
        for status in order.allowed_next:
            button = QPushButton(tr("detail.move_to", status=tr(f"status.{status}")))
            button.clicked.connect(lambda _checked=False, s=status: self.move_to(s))
            self.action_row.addWidget(button)
            self.buttons[status] = button
        self.reason.setVisible("cancelled" in order.allowed_next)

    def move_to(self, status: str) -> None:
        """Ask the server to change the status, sending the ETag we showed (If-Match)."""
        order = self.order
        if order is None:
            return
        reason = self.reason.text().strip() or None if status == "cancelled" else None
        tenant_id, order_id, etag = self.tenant_id, order.id, order.etag
        for button in self.buttons.values():
            button.setEnabled(False)
        self.call(
            lambda client: client.orders.change_status(tenant_id, order_id, status, reason, etag),
            self._moved,
            self._refused,
        )

    def _moved(self, order: OrderDetail) -> None:
        self.say("")
        self.show_order(order)
        self.changed.emit(order)

    def _refused(self, error: Exception) -> None:
        self.say_error(error)
        if isinstance(error, ConflictError):
            self.reload()  # someone else changed it: show what it is now
        else:
            for button in self.buttons.values():
                button.setEnabled(True)
