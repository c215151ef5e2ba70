// chat pages' behaviour.
