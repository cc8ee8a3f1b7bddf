"""WhatsApp: numbers, webhook ingest, the inbox that runs the bot, the outbox that sends its replies.

Entry points: `numbers.NumberService` (a tenant's numbers), `ingest.IngestService` (store webhook
events durably), `inbox.InboxProcessor` (stored messages -> the bot -> queued replies),
`outbox.OutboxSender` (queued replies -> the provider), `conversations.ConversationService`
(one turn of the bot against the tenant's data), `sandbox.SandboxChatService` (the console's
test chat), `notifications.StatusNotifier` (an order hook that tells the customer) and
`directory.NumberDirectory` (which tenant a webhook is for).
May import: `server.chat`, `server.providers`, `server.db`, `services.tenancy`, `services.orders`,
`services.catalog`, `services.customers`, `services.audit`, `shared`.
"""
