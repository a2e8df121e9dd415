"""Customer: a company the helpdesk supports."""
