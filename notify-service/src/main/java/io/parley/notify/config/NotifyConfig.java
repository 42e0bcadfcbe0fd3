package io.parley.notify.config;

import io.parley.common.redis.SharedKeys;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** notify-service settings (environment: {@code PARLEY_NOTIFY_*}). Every limit and timing is here. */
@ConfigMapping(prefix = "parley.notify")
public interface NotifyConfig {

    /** Where chat-service is: in-app notifications are forwarded to its {@code /api/v1/apps/{appId}/notifications}. */
    @WithDefault("http://127.0.0.1:8080")
    String chatUrl();

    /** Channel binding and verification. */
    Channels channels();

    /** The outbox stream chat-service appends to, and how it is consumed. */
    Outbox outbox();

    /** Digests of relayed chat messages. */
    Relay relay();

    /** Sending, retries and dead letters. */
    Delivery delivery();

    /** Limits of the notifications API. */
    Notifications notifications();

    /** The WeChat-style official-account adapter (configured per deployment; off without an endpoint). */
    Wechat wechat();

    /** Where webhook and third-party calls may go (server-side request forgery guard). */
    Egress egress();

    /** How long the delivery log is kept (docs/operations.md, "Retention"). */
    Retention retention();

    /** Push to phones and browsers: device registrations and the three providers (each off until configured). */
    Push push();

    interface Push {
        /** Devices one user may register (409 above). */
        @WithDefault("20")
        int maxDevicesPerUser();

        /** Longest provider token or Web Push endpoint, in characters. */
        @WithDefault("1024")
        int maxTokenChars();

        /** How long a provider keeps a push for a device that is off (APNs apns-expiration, FCM ttl, Web Push TTL). */
        @WithDefault("1D")
        Duration timeToLive();

        /** Longest message text quoted in a push (preview {@code full}), in characters. */
        @WithDefault("180")
        int quoteChars();

        /**
         * Largest {@code data} of a silent (data-only) push, in bytes of its JSON (413 above): FCM and APNs refuse a
         * payload over 4 KB, and Parley adds its own fields.
         */
        @WithDefault("3072")
        int maxDataBytes();

        /** Firebase Cloud Messaging (HTTP v1). */
        Fcm fcm();

        /** Apple Push Notification service (HTTP/2, token auth). */
        Apns apns();

        /** Web Push (RFC 8030, 8291, 8292), also used by UnifiedPush distributors. */
        WebPush webPush();

        interface Fcm {
            /**
             * The service-account key: its JSON text, or the path of the JSON file (from a Secret). Without it FCM
             * registrations are refused (400). Its {@code token_uri} is where access tokens are fetched.
             */
            Optional<String> serviceAccount();

            /** Base URL of the FCM API ({@code /v1/projects/{project}/messages:send} is appended). */
            @WithDefault("https://fcm.googleapis.com")
            String baseUrl();

            /** An access token is renewed when less than this is left of its lifetime. */
            @WithDefault("5M")
            Duration renewBefore();
        }

        interface Apns {
            /** The ES256 token-auth key: the {@code .p8} PEM text, or its path (from a Secret). Without it APNs registrations are refused (400). */
            Optional<String> key();

            /** The key's id (the JWT's {@code kid}). */
            Optional<String> keyId();

            /** The Apple developer team id (the JWT's {@code iss}). */
            Optional<String> teamId();

            /** The app's bundle id ({@code apns-topic}). */
            Optional<String> topic();

            /** Base URL: {@code https://api.push.apple.com}, or {@code https://api.sandbox.push.apple.com}. */
            @WithDefault("https://api.push.apple.com")
            String baseUrl();

            /** How long one provider JWT is reused; Apple wants 20-60 minutes (never one per request). */
            @WithDefault("40M")
            Duration tokenReuse();

            /** A PEM certificate to trust for the APNs connection instead of the JVM's trust store (test stand-ins). */
            Optional<String> trustCertificate();
        }

        interface WebPush {
            /** The VAPID public key (base64url, 65-byte uncompressed P-256 point). Without both keys Web Push is off. */
            Optional<String> vapidPublicKey();

            /** The VAPID private key (base64url, 32-byte P-256 scalar; from a Secret). */
            Optional<String> vapidPrivateKey();

            /** The VAPID {@code sub} claim: a {@code mailto:} or {@code https:} contact for push services. */
            @WithDefault("mailto:push@parley.invalid")
            String subject();

            /** How long one VAPID JWT (per push service origin) is reused; push services accept at most 24 h. */
            @WithDefault("12H")
            Duration tokenReuse();
        }
    }

    interface Retention {
        /**
         * Finished deliveries (delivered, dead, no channel, skipped) older than this are deleted with their
         * notification once it has none left; {@code 0} keeps the log for ever. Never a delivery still due.
         */
        @WithDefault("0S")
        Duration deliveryLogAge();

        /** Per app (tenant) overrides: {@code parley.notify.retention.apps."<appId>".delivery-log-age}. */
        Map<String, AppRetention> apps();

        interface AppRetention {
            /** This app's delivery log age; {@code 0} keeps its log for ever. */
            Duration deliveryLogAge();
        }

        /** How often the purge looks for expired rows. */
        @WithDefault("10M")
        Duration interval();

        /** Rows looked at per batch (each batch its own short statements). */
        @WithDefault("500")
        int batchSize();

        /** Pause between two batches. */
        @WithDefault("100ms")
        Duration pauseBetweenBatches();

        /** At most this many batches per round. */
        @WithDefault("1000")
        int maxBatchesPerRound();
    }

    interface Egress {
        /**
         * Receivers on internal addresses the operator trusts (on-premise webhooks, a local API gateway): each entry
         * an address range in CIDR form ({@code 10.20.0.0/16}, {@code fd00::/8}), one address, a host name
         * ({@code hooks.corp.example}) or a domain with its subdomains ({@code .corp.example}). Empty (the default):
         * loopback, link-local, private, unique-local and cluster-internal targets are all refused.
         */
        Optional<List<String>> allow();
    }

    interface Channels {
        /** How long a verification code (email, wechat) or webhook challenge stays valid. */
        @WithDefault("15M")
        Duration codeTtl();

        /** Wrong codes allowed before the code is void (delete and bind the channel again). */
        @WithDefault("5")
        int maxVerifyAttempts();

        /** Channels one user may bind. */
        @WithDefault("10")
        int maxPerUser();

        /** Longest address, in characters. */
        @WithDefault("320")
        int maxAddressChars();
    }

    interface Outbox {
        /** The Redis stream chat-service appends one entry per (message, offline recipient) to. */
        @WithDefault(SharedKeys.OUTBOX_STREAM)
        String stream();

        /** The consumer group notify-service instances share. */
        @WithDefault("notify-relay")
        String group();

        /** This instance's consumer name; empty: the node name ({@code $HOSTNAME}, the pod name, plus a random suffix; see common NodeName). */
        Optional<String> consumer();

        /** Entries read per round. */
        @WithDefault("200")
        int batchSize();

        /** How long one read waits for new entries (XREADGROUP BLOCK). */
        @WithDefault("1S")
        Duration block();

        /** Entries another consumer read but did not acknowledge for this long are claimed (its node died). */
        @WithDefault("30S")
        Duration claimIdle();
    }

    interface Relay {
        /** Default digest window: the first event for a user opens it; when it closes, one relay goes out. */
        @WithDefault("30S")
        Duration digestWindow();

        /** Newest message bodies listed in one digest. */
        @WithDefault("5")
        int digestMessages();

        /** Longest body quoted in a digest, in characters. */
        @WithDefault("200")
        int quoteChars();

        /** How often due digest windows are looked for. */
        @WithDefault("200ms")
        Duration flushInterval();

        /** Whether users relay by default (until they set preferences). */
        @WithDefault("true")
        boolean enabledByDefault();

        /** Channel types relayed to by default. */
        @WithDefault("email,webhook,wechat")
        List<String> defaultChannels();

        /** Largest digest window a user may choose, in seconds. */
        @WithDefault("3600")
        int maxDigestSeconds();
    }

    interface Delivery {
        /** How often due deliveries (new and retries) are looked for. */
        @WithDefault("200ms")
        Duration pollInterval();

        /** Attempts before a delivery becomes a dead letter. */
        @WithDefault("5")
        int maxAttempts();

        /** Back-off base: attempt n waits a random time in [0, min(max, base * 2^(n-1))] (full jitter). */
        @WithDefault("2S")
        Duration backoffBase();

        /** Back-off cap. */
        @WithDefault("5M")
        Duration backoffMax();

        /** TCP connect timeout of webhook and third-party calls. */
        @WithDefault("3S")
        Duration connectTimeout();

        /** Time allowed for an answer of a webhook or third-party call. */
        @WithDefault("10S")
        Duration readTimeout();

        /** Time allowed for one SMTP send; a stalled SMTP dialogue fails after it (and is retried). */
        @WithDefault("30S")
        Duration mailTimeout();

        /** A delivery still {@code sending} after this long was cut off by a crash and is tried again. */
        @WithDefault("2M")
        Duration sendingTimeout();

        /** Calls in flight at once to one endpoint (host:port); more wait, others go on. */
        @WithDefault("4")
        int perEndpointConcurrency();

        /** Sends in flight at once in this instance. */
        @WithDefault("256")
        int maxInFlight();
    }

    interface Notifications {
        /** Most recipients of one notification. */
        @WithDefault("1000")
        int maxUsers();

        /** Longest title, in characters. */
        @WithDefault("200")
        int maxTitleChars();

        /** Longest body, in characters (longer: 413). */
        @WithDefault("4000")
        int maxBodyChars();
    }

    interface Wechat {
        /** Base URL of the WeChat-style API, e.g. {@code https://api.weixin.qq.com}; empty: wechat channels are off. */
        Optional<String> endpoint();

        /** The official account's app id. */
        Optional<String> appId();

        /** The official account's app secret (from a Secret). */
        Optional<String> appSecret();

        /** The template message used for codes, relays and notifications. */
        Optional<String> templateId();
    }
}
