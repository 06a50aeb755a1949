"""The connectors: one interface (base.Connector), one module per CRM. The registry maps a
connection's `connector` key to the class that speaks to it."""
