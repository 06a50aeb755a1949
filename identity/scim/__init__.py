"""SCIM 2.0 (RFC 7643/7644) at /scim/v2/ on each company's host: the company's IdP provisions
its people and groups. Resources, PATCH, filters and errors are scim2-models'; what a user or
group *means* here (a membership, a role) is ours, in users.py and groups.py."""
