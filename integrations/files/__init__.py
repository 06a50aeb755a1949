"""CSV and Excel files as a source: imports into accounts, opportunities, solutions and
partners (matched columns, a check that writes nothing, then the import in the background),
and exports of the company's own lists in the same columns."""
