"""Update pipeline: locale -> view -> throttle -> metrics -> handler."""
