"""Charts: Qt-free matplotlib figures (`figures`) and the widget that shows them (`canvas`)."""
