// imports pages' behaviour.
