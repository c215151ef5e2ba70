// notifications pages' behaviour.
