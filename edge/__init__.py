"""The edge: what a request may carry before any of our code reads it (invariant 10).

Lowest layer of the house: pure checks plus one middleware; every app may use the checks for
input that arrives another way (an uploaded file), nothing here imports an app. It also says
whether an address an admin typed is on the public internet (`edge.addresses`), for the rooms
that send requests to such addresses."""
