-- Conversations are deleted, with the replies kept for their steps, a while after they
-- expire (domain.ConversationRetention): the pruning finds them by their expiry.

CREATE INDEX conversations_expires ON conversations (expires_at);
