// tasks pages' behaviour.
