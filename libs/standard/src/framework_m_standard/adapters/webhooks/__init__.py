"""Webhooks: document events turned into signed, retried HTTP deliveries.

``listener`` subscribes to ``doc.>`` and enqueues one ``framework_m.webhooks.deliver`` job per
matching webhook; ``delivery`` is that job (httpx, signature, one ``WebhookLog`` per attempt);
``signing`` signs and verifies; ``condition`` and ``payload`` evaluate a webhook's condition
and render its payload template, both sandboxed.
"""
