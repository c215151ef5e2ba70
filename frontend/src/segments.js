// segments pages' behaviour.
