// collab pages' behaviour.
