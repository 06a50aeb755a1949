"""The company's home page (the dashboard): the top of the house, composing every room."""
