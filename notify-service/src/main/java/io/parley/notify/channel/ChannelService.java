package io.parley.notify.channel;

import io.parley.common.crypto.Secrets;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.notify.config.NotifyConfig;
import io.parley.notify.sender.EgressPolicy;
import io.parley.notify.sender.WechatAdapter;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Instant;
import java.util.List;

/**
 * Binding, verification, listing and removal of a user's channels. A channel of another user is answered as
 * missing (404): its existence is not revealed. Blocking (JDBC): worker threads only.
 */
@ApplicationScoped
public class ChannelService {

    /** What the API shows of a channel; {@code secret} only once, in the answer to a webhook's creation. */
    public record ChannelView(String id, String type, String address, boolean verified, String secret) {

        static ChannelView of(Channel c) {
            return new ChannelView(c.id(), c.type().wire(), c.address(), c.verified(), null);
        }
    }

    private final ChannelRepository channels;
    private final ChannelVerification verification;
    private final WechatAdapter wechat;
    private final NotifyConfig.Channels config;
    private final EgressPolicy egress;

    public ChannelService(ChannelRepository channels, ChannelVerification verification, WechatAdapter wechat,
                          NotifyConfig config, EgressPolicy egress) {
        this.egress = egress;
        this.channels = channels;
        this.verification = verification;
        this.wechat = wechat;
        this.config = config.channels();
    }

    public ChannelView bind(long user, String typeName, String rawAddress) {
        ChannelType type = ChannelType.parse(typeName);
        String address = AddressRules.normalise(type, rawAddress, config.maxAddressChars());
        if (type == ChannelType.WEBHOOK) {
            try {
                egress.check(URI.create(address)); // again on every send: DNS can change after this
            } catch (EgressPolicy.Refused e) {
                throw ApiException.invalid("webhook address refused: " + e.getMessage());
            }
        }
        if (type == ChannelType.WECHAT && !wechat.configured()) {
            throw ApiException.invalid("wechat channels are not available on this deployment");
        }
        if (channels.countOfUser(user) >= config.maxPerUser()) {
            throw new ApiException(ErrorCode.CONFLICT, "at most " + config.maxPerUser()
                    + " channels per user; delete one first");
        }
        // a webhook is challenged with a long random string, a person types six digits
        String code = type == ChannelType.WEBHOOK ? Secrets.hex(16) : Secrets.code();
        String secret = type == ChannelType.WEBHOOK ? Secrets.hex(32) : null;
        Channel channel = new Channel(Secrets.hex(16), user, type, address, secret, false, Secrets.sha256Hex(code),
                Instant.now().plus(config.codeTtl()), 0, Instant.now());
        channels.insert(channel);
        verification.start(channel, code);
        return new ChannelView(channel.id(), type.wire(), address, false, secret);
    }

    /** Verifies with the code; 400 for a wrong, expired or used-up code, 404 for a channel not the caller's. */
    public void verify(long user, String id, String code) {
        Channel channel = owned(user, id);
        if (channel.verified()) {
            return;
        }
        if (code == null || code.isBlank() || code.length() > 128) {
            throw ApiException.invalid("code is required");
        }
        if (channel.codeHash() == null) {
            throw ApiException.invalid("this channel's code is used up; delete the channel and bind it again");
        }
        if (channel.codeExpiresAt() == null || Instant.now().isAfter(channel.codeExpiresAt())) {
            throw ApiException.invalid("the code has expired; delete the channel and bind it again");
        }
        String hash = Secrets.sha256Hex(code.trim());
        if (!Secrets.constantTimeEquals(hash, channel.codeHash())) {
            channels.recordWrongCode(id, config.maxVerifyAttempts());
            throw ApiException.invalid("wrong code");
        }
        if (!channels.markVerified(id, hash)) {
            // verified (or voided) concurrently; read again to answer truthfully
            if (!owned(user, id).verified()) {
                throw ApiException.invalid("wrong code");
            }
        }
    }

    public List<ChannelView> list(long user) {
        return channels.ofUser(user).stream().map(ChannelView::of).toList();
    }

    public void delete(long user, String id) {
        if (!channels.delete(id, user)) {
            throw ApiException.notFound("no such channel");
        }
    }

    private Channel owned(long user, String id) {
        return channels.find(id).filter(c -> c.userId() == user)
                .orElseThrow(() -> ApiException.notFound("no such channel"));
    }
}
