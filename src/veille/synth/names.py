"""Name, street and establishment pools of the synthetic commune.

Every list is ordered by decreasing popularity: the generator draws from it with Zipf-like weights, so
the first names of a list are very frequent (homonyms) and the tail is rare. Names are typical of
children born 2010-2023 in France and of the surnames found in priority neighbourhoods of the Nord;
they are common names, and the generator only ever combines them at random (no real person's full
name is taken from anywhere). Every character must be encodable in Windows-1252 (the CAF file is), so
Turkish, Romanian or Vietnamese letters outside it are written the way French offices type them.
"""

from __future__ import annotations

from functools import lru_cache

ORIGINS: tuple[str, ...] = ("FR", "MAG", "WAF", "POR", "TUR", "EEU", "VIE")
# Share of households by origin of the claimant, for a priority neighbourhood of a large Nord city.
ORIGIN_WEIGHTS: tuple[float, ...] = (0.40, 0.29, 0.13, 0.05, 0.05, 0.05, 0.03)


def _split(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())


FIRST_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("FR", "M"): _split(
        """Gabriel, Léo, Raphaël, Louis, Lucas, Jules, Arthur, Hugo, Nathan, Maël, Ethan, Paul, Noah,
        Sacha, Tom, Théo, Mathis, Enzo, Timéo, Nolan, Liam, Aaron, Tiago, Noé, Gabin, Axel, Mattéo,
        Clément, Baptiste, Maxime, Antoine, Alexandre, Valentin, Thomas, Léon, Victor, Martin, Evan,
        Kylian, Kenzo, Eden, Malo, Marius, Oscar, Robin, Esteban, Augustin, Lenny, Loïc, Romain,
        Quentin, Florian, Dylan, Kevin, Jordan, Anthony, Tristan, Simon, Samuel, Elio, Lyam, Milo, Naël,
        Nino, Lorenzo, Ruben, Benjamin, Bastien, Corentin, Killian, Alexis, Jean-Baptiste, Louis-Marie,
        Pierre-Louis, Timothée, Côme, Brandon, Logan, Mason, Jayden, Bryan, Steven, Jason, Lenzo,
        Sandro, Ilan, Yoan, Mathys, Dorian, Erwan, Gaël, Jean, Pierre, Adrien, Julien, Nicolas, Hugues,
        Matthias, Nathanaël, Evann, Tim, Rémi, Thibault, Vincent, Cyprien, Sylvain, Ewen, Kenny, Jessy""",
    ),
    ("FR", "F"): _split(
        """Emma, Jade, Louise, Alice, Chloé, Léa, Rose, Anna, Mila, Ambre, Julia, Mia, Léna, Manon,
        Juliette, Lou, Zoé, Camille, Agathe, Jeanne, Lucie, Eva, Nina, Romane, Léonie, Iris, Lola,
        Clara, Margaux, Louna, Charlotte, Lilou, Elena, Adèle, Victoire, Capucine, Océane, Maëlys,
        Lana, Alicia, Élise, Anaïs, Clémence, Laura, Mathilde, Pauline, Marie, Maëlle, Candice,
        Gabrielle, Héloïse, Marie-Lou, Anne-Sophie, Lily-Rose, Emy, Lya, Giulia, Olivia, Apolline,
        Constance, Justine, Célia, Noémie, Morgane, Axelle, Louane, Tiphaine, Lisa, Lise, Élina, Luna,
        Julie, Emmy, Nora, Ella, Ruby, Lily, Kelly, Jessica, Cindy, Tiffany, Megan, Kassandra, Wendy,
        Maëva, Amandine, Cassandra, Estelle, Eloïse, Lilia, Albane, Faustine, Hortense, Suzanne, Valentine,
        Margot, Sixtine, Bérénice, Mélina, Naomi, Elsa, Charline, Coralie, Marine""",
    ),
    ("MAG", "M"): _split(
        """Mohamed, Adam, Rayan, Yanis, Ayoub, Ilyes, Amir, Imran, Yacine, Mehdi, Sofiane, Bilal,
        Nassim, Karim, Youssef, Ismaël, Ibrahim, Hamza, Anas, Ilyas, Zakaria, Walid, Samy, Riyad,
        Nabil, Adel, Kaïs, Marwan, Idriss, Haroun, Younes, Ali, Omar, Othmane, Anis, Wassim, Aymen,
        Nahil, Rayane, Naïm, Malik, Sami, Elyes, Amine, Mounir, Hicham, Reda, Khalil, Tarik, Abdellah,
        Mustapha, Saïd, Hakim, Lyes, Sahel, Issam, Yahya, Iyed, Zayn, Mouad, Ilian, Bilel, Mahdi,
        Souhail, Ryad, Farès, Aymane, Badr, Jawad, Kamil, Nassim-Ali, Mohamed-Amine, Yassir, Wael,
        Sabri, Fayçal, Djamel, Farid, Rachid, Lotfi, Noam, Isaac, Elias, Ayman, Nael, Mayssane""",
    ),
    ("MAG", "F"): _split(
        """Inès, Lina, Sarah, Nour, Yasmine, Aya, Maryam, Aïcha, Nahia, Assia, Sofia, Kenza, Salma,
        Imane, Hana, Amira, Lilya, Farah, Meryem, Rania, Malak, Sirine, Chaïma, Ilyana, Naïla, Lyna,
        Soumaya, Yasmina, Fatima, Khadija, Zineb, Samira, Leïla, Nesrine, Hiba, Anissa, Ikram, Hajar,
        Manel, Selma, Dounia, Asma, Nawel, Sana, Rim, Norah, Safa, Maïssa, Alya, Israa, Sabrina, Amel,
        Nadia, Hafsa, Douaa, Loubna, Amina, Karima, Malika, Alia, Wissal, Rayane, Kawtar, Ranya, Inaya,
        Ayat, Djena, Ihsane, Lamia, Nour-Elhouda, Fatima-Zahra, Camélia, Amani, Lyla, Mélissa, Yousra,
        Ilham, Jihane, Kamila, Siham, Widad, Zahra, Chahinez, Houda""",
    ),
    ("WAF", "M"): _split(
        """Moussa, Mamadou, Ibrahima, Souleymane, Oumar, Abdoulaye, Boubacar, Amadou, Issa, Sékou,
        Modibo, Seydou, Bakary, Lamine, Cheikh, Ousmane, Mahamadou, Adama, Djibril, Alassane, Fodé,
        Samba, Ismaïla, Demba, Youssouf, Habib, Mohamed, Ibrahim, Kylian, Nathan, Aaron, Elie,
        Emmanuel, Christ, Yannick, Isaac, Ethan, Samuel, Daniel, Moïse, Ange, Josué, Prince, Jérémie,
        Bilal, Adam, Ayoub, Mamoudou, Aliou, Hamidou, Diadié, Sidy, Tidiane, Malick, Aboubakar,
        Mohamed-Lamine, Sambou, Ladji, Siaka, Drissa, Kader, Gaëtan, Chris, Dany, Exaucé""",
    ),
    ("WAF", "F"): _split(
        """Fatoumata, Aminata, Mariam, Awa, Kadiatou, Aïssatou, Hawa, Binta, Oumou, Fanta, Coumba,
        Ramatoulaye, Assa, Djeneba, Mariama, Nafi, Rokia, Adja, Safiatou, Sira, Kadidia, Maïmouna,
        Astou, Ndeye, Grâce, Merveille, Océane, Naomie, Divine, Prisca, Exaucée, Aïcha, Inès, Sarah,
        Maryam, Hadja, Salimata, Korotoumou, Nana, Penda, Aby, Dieynaba, Fily, Kadiatou-Binta,
        Marie-Grâce, Gloria, Ornella, Eunice, Esther, Rebecca, Christelle, Bintou, Tenin, Massiré""",
    ),
    ("POR", "M"): _split(
        """Tiago, Rafael, Diogo, João, Gonçalo, Rodrigo, Duarte, Miguel, Tomás, Afonso, Martim, Pedro,
        Ricardo, Bruno, Nuno, Luís, Fábio, Hugo, Sandro, Vasco, Rui, Filipe, Daniel, Gabriel, Enzo,
        Lucas, Mathéo, Ruben, David, Leandro, Samuel, Simão, Henrique, Vítor, Sérgio""",
    ),
    ("POR", "F"): _split(
        """Inês, Beatriz, Mariana, Leonor, Matilde, Carolina, Ana, Sofia, Lara, Margarida, Joana, Rita,
        Catarina, Bianca, Diana, Vitória, Bruna, Débora, Jéssica, Lúcia, Emma, Clara, Eva, Alícia,
        Francisca, Luana, Madalena, Sara, Marta, Teresa, Íris, Letícia""",
    ),
    ("TUR", "M"): _split(
        """Yusuf, Emir, Eymen, Mustafa, Ömer, Kerem, Ahmet, Mehmet, Emre, Burak, Kaan, Berat, Enes,
        Eren, Hasan, Hüseyin, Alperen, Yigit, Ali, Baran, Arda, Efe, Mert, Furkan, Bilal, Selim, Taha,
        Ibrahim, Ismail, Murat, Serkan, Kemal, Yasin, Adem, Miraç, Hamza, Umut, Oguz, Cem""",
    ),
    ("TUR", "F"): _split(
        """Zeynep, Elif, Defne, Ecrin, Azra, Eylül, Nisa, Esma, Asya, Zehra, Meryem, Hira, Nehir,
        Melek, Büsra, Sena, Ela, Irem, Ayse, Beyza, Kübra, Sude, Duru, Elif-Naz, Aleyna, Betül, Rabia,
        Yagmur, Selin, Ceren, Dilara, Gizem, Hatice, Emine, Fatma, Melisa, Aylin""",
    ),
    ("EEU", "M"): _split(
        """Ivan, Maksim, Artem, David, Nikita, Bogdan, Andrei, Stefan, Luka, Marko, Mihai, Alexandru,
        Daniel, Kacper, Jakub, Filip, Mateusz, Dmitri, Vlad, Denis, Adrian, Milan, Roman, Oleksandr,
        Timur, Arsen, Tigran, Artur, Mark, Matvei, Danylo, Ionut, Darius, Cristian, Gabriel, Lazar,
        Nikola, Aleksa, Dorian, Erik, Luca, Rustam, Aslan, Islam, Magomed, Adlan""",
    ),
    ("EEU", "F"): _split(
        """Anastasia, Sofia, Maria, Elena, Daria, Alina, Victoria, Milena, Eva, Anna, Zuzanna, Polina,
        Ioana, Andreea, Ksenia, Veronika, Natalia, Yana, Diana, Alexandra, Kateryna, Marta, Nika,
        Emilia, Iulia, Sara, Mila, Alisa, Larisa, Bianca, Teodora, Jovana, Amina, Madina, Khadija,
        Aminat, Liana, Ariana, Irina, Oksana""",
    ),
    ("VIE", "M"): _split(
        """Minh, Duc, Huy, Khoa, Long, Nam, Bao, Quang, Thanh, Tuan, Hoang, Phuc, Anh, Kevin, Vinh,
        Dang, Tri, Hieu, Lucas, Thomas, Nathan, Ethan, Kim, Sovann, Dara, Vuthy, Chen, Wei, Hao, Ryan""",
    ),
    ("VIE", "F"): _split(
        """Linh, Mai, Lan, Thao, Ngoc, Trang, Huong, Hoa, Anh, Chau, My, Vy, Nhi, Thu, Kim, Tam, Emma,
        Jade, Chloé, Léa, Sophie, Sreyneang, Sophea, Channa, Mei, Lina, Li, Jenny, Julie, Annie""",
    ),
}

# Second first names given after the usual one (CAF keeps them all, the school rarely does).
SECOND_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("FR", "M"): _split(
        "Louis, Jean, Pierre, Marie, Joseph, Henri, Paul, Jacques, Michel, Alain, André, Philippe"
    ),
    ("FR", "F"): _split("Marie, Rose, Louise, Anne, Jeanne, Claire, Élisabeth, Catherine, Sophie, Françoise"),
    ("MAG", "M"): _split("Mohamed, Karim, Ali, Ahmed, Abdelkader, Said, Rachid, Ibrahim, Amine, Youssef"),
    ("MAG", "F"): _split("Fatima, Khadija, Aïcha, Myriam, Nadia, Zohra, Malika, Meriem, Amina, Kheira"),
    ("WAF", "M"): _split("Mamadou, Moussa, Ibrahima, Mohamed, Cheikh, Ousmane, Emmanuel, Jean, Samba"),
    ("WAF", "F"): _split("Aminata, Fatoumata, Mariam, Awa, Marie, Grâce, Hawa, Kadiatou, Coumba"),
    ("POR", "M"): _split("Manuel, José, António, Miguel, Filipe, João, Carlos"),
    ("POR", "F"): _split("Maria, Isabel, Fátima, Ana, Sofia, Conceição"),
    ("TUR", "M"): _split("Ali, Mehmet, Mustafa, Hüseyin, Ahmet, Ibrahim"),
    ("TUR", "F"): _split("Nur, Naz, Su, Ayse, Fatma, Elif"),
    ("EEU", "M"): _split("Ivanovich, Alexandru, Ion, Nicolae, Petru, Mihail"),
    ("EEU", "F"): _split("Maria, Elena, Ioana, Anna, Alexandra"),
    ("VIE", "M"): _split("Van, Minh, Duc, Quoc, Thanh, Huu"),
    ("VIE", "F"): _split("Thi, Ngoc, Thu, Thanh, Kim"),
}

# The same first name as another office spells it. The CAF and the school each pick a spelling.
TRANSLITERATIONS: tuple[tuple[str, ...], ...] = (
    ("Mohamed", "Mohammed", "Muhammad", "Mohamad", "Mouhamed", "Mohammad"),
    ("Youssef", "Youcef", "Yousef", "Youssouf", "Yusuf"),
    ("Aïcha", "Aicha", "Aisha", "Aïsha"),
    ("Maryam", "Meryem", "Mariam", "Myriam", "Meriem"),
    ("Yacine", "Yassine", "Yasin"),
    ("Ilyes", "Ilyas", "Ilies", "Iliès"),
    ("Ibrahim", "Ibrahima", "Brahim"),
    ("Ismaël", "Ismail", "Ismaïl"),
    ("Fatima", "Fatma", "Fatimah"),
    ("Khadija", "Khadidja", "Khadidia"),
    ("Rayan", "Rayane", "Ryan"),
    ("Amine", "Amin"),
    ("Nour", "Nur", "Noor"),
    ("Sofiane", "Soufiane", "Sofian"),
    ("Zakaria", "Zakariya", "Zacharia", "Zakarya"),
    ("Idriss", "Idris"),
    ("Younes", "Younès", "Yunus"),
    ("Leïla", "Leila", "Layla", "Laila"),
    ("Yasmine", "Yasmin", "Jasmine"),
    ("Chaïma", "Chaima", "Shaima"),
    ("Imane", "Iman"),
    ("Soumaya", "Sumaya", "Soumaia"),
    ("Souleymane", "Souleyman", "Soulaymane", "Suleyman"),
    ("Mamadou", "Mamadu"),
    ("Aïssatou", "Aissatou", "Aïssata"),
    ("Fatoumata", "Fatoumatou", "Fatimata"),
    ("Djibril", "Jibril", "Gibril"),
    ("Moussa", "Musa"),
    ("Boubacar", "Aboubacar", "Abubakar"),
    ("Kadiatou", "Khadiatou"),
    ("Mehmet", "Mehmed"),
    ("Ömer", "Omer"),
    ("Zeynep", "Zeinab", "Zaynab"),
    ("João", "Joao"),
    ("Gonçalo", "Goncalo"),
    ("Dmitri", "Dmitry", "Dimitri"),
    ("Andrei", "Andrey", "Andreï"),
    ("Maksim", "Maxim"),
    ("Artem", "Artiom", "Artyom"),
    ("Oleksandr", "Aleksandr", "Alexandr"),
    ("Kateryna", "Ekaterina", "Katerina"),
    ("Mattéo", "Matteo", "Mathéo"),
    ("Maël", "Mael", "Mahel"),
    ("Kylian", "Killian", "Kilian", "Kyllian"),
    ("Maëlys", "Maelys", "Maëlis"),
    ("Louane", "Louanne"),
    ("Lyna", "Lina"),
    ("Ilyana", "Iliana"),
    ("Hamza", "Hamsa"),
    ("Mustapha", "Mustafa", "Moustapha"),
    ("Abdellah", "Abdallah", "Abdullah"),
    ("Sirine", "Syrine", "Cyrine"),
    ("Nesrine", "Nesrin"),
    ("Wassim", "Wacim"),
    ("Haroun", "Harun"),
    ("Ayoub", "Ayyoub", "Eyup"),
    ("Hüseyin", "Huseyin", "Hussein"),
)

# Pairs of first names given to twins that a matcher easily confuses (same or close spelling).
TWIN_NAME_PAIRS: tuple[tuple[str, str, str, str], ...] = (
    ("Louis", "M", "Louise", "F"),
    ("Adam", "M", "Adama", "M"),
    ("Léo", "M", "Léa", "F"),
    ("Jules", "M", "Julie", "F"),
    ("Lucas", "M", "Lucie", "F"),
    ("Mathis", "M", "Mathias", "M"),
    ("Ilyes", "M", "Ilyas", "M"),
    ("Rayan", "M", "Rayane", "F"),
    ("Nour", "F", "Nora", "F"),
    ("Amine", "M", "Amina", "F"),
    ("Karim", "M", "Karima", "F"),
    ("Ethan", "M", "Evan", "M"),
    ("Emma", "F", "Emmy", "F"),
    ("Lina", "F", "Lana", "F"),
    ("Kenza", "F", "Kenzo", "M"),
    ("Malik", "M", "Malika", "F"),
    ("Ali", "M", "Alia", "F"),
    ("Hassan", "M", "Hussein", "M"),
    ("Nathan", "M", "Nathanaël", "M"),
    ("Sofia", "F", "Sofiane", "M"),
    ("Tom", "M", "Tim", "M"),
    ("Yanis", "M", "Yann", "M"),
    ("Inès", "F", "Iness", "F"),
    ("Aminata", "F", "Aminatou", "F"),
    ("Fatoumata", "F", "Fatimata", "F"),
)

SURNAMES: dict[str, tuple[str, ...]] = {
    "FR": _split(
        """MARTIN, LEFEBVRE, DUBOIS, BERNARD, LEROY, PETIT, THOMAS, DURAND, MOREAU, SIMON, LAURENT,
        MICHEL, DAVID, ROBERT, RICHARD, GARCIA, BERTRAND, ROUX, VINCENT, FOURNIER, MOREL, GIRARD,
        ANDRÉ, LEFÈVRE, MERCIER, DUPONT, LAMBERT, BONNET, FRANÇOIS, MARTINEZ, LEGRAND, GARNIER,
        ROUSSEL, DECLERCK, DELATTRE, DUHAMEL, VERMEERSCH, DE BACKER, VANDENBERGHE, DECOCK, DEVOS,
        VERHAEGHE, DESMET, DELANNOY, DUBUS, CARON, LEMAIRE, DELÉPINE, DESCAMPS, LECLERCQ, DEFRANCE,
        DUPUIS, HENNEBERT, VANHOVE, DEBRABANT, MASUREL, PLANCKE, DEMEYER, VAN DE WALLE, DEWAELE,
        CATTEAU, LEBLANC, DUQUESNE, LECOMTE, CARLIER, BAILLEUL, DELCROIX, DELEBARRE, LEMOINE,
        DELAHAYE, DUFOUR, BLONDEL, DEBUSSCHERE, LOOTENS, VANDAMME, DE SMET, VERSTRAETE, VAN HECKE,
        DEMULIER, DECOSTER, DESRUMAUX, TIBERGHIEN, DELVALLEZ, FLAMENT, HOCHART, DEBAISIEUX, WATTEL,
        SÉNÉCHAL, DUFLOT, LOPEZ, FERNANDEZ, SANCHEZ, RUSSO, ESPOSITO, ROMANO, DI MARTINO, LO PRESTI,
        HERBAUT, DEGAND, DELEMER, LEFRANC, PRUVOST, POULAIN, LEROUX, BOURGEOIS, COQUELLE, DEVAUX,
        BEAUCAMP, MULLIEZ, DELOBEL, DENIS, MASSE, CORNIL, LECOCQ, DELMOTTE, DEROO, VANDEWALLE""",
    ),
    "MAG": _split(
        """BEN AHMED, BENALI, BOUZID, HADDAD, BRAHIMI, BELKACEM, AÏT SAÏD, AÏT ALI, EL AMRANI,
        EL IDRISSI, BOUAZZA, MANSOURI, CHÉRIF, HAMIDI, SAÏDI, MEZIANE, BOUDJEMAA, KADDOUR, BENSALEM,
        BELHADJ, BEN SALAH, BEN YOUSSEF, EL HADDAD, EL KHATTABI, AMRANI, OUALI, ZERROUKI, LAHLOU,
        TAHIRI, BENMOUSSA, AZZOUZ, CHAOUI, DJEBBAR, FERHAT, HAMDI, KACI, LOUNÈS, MAHMOUDI, NACERI,
        RAHMANI, SLIMANI, TOUATI, YAHIAOUI, ZIANI, BOUKHARI, AÏT OUALI, EL MOUSSAOUI, BEN MOHAMED,
        BOUALEM, HAMADI, BENAÏSSA, ABDELLI, AMARA, BACHIR, BELAÏD, BENHAMOU, CHIKHI, DAHMANI,
        BOUCHAMA, GUERFI, HAMMOUCHE, KHELIFI, MEKKI, OUADAH, REZGUI, SEBBAH, TALBI, ZOUAOUI""",
    ),
    "WAF": _split(
        """DIALLO, TRAORÉ, N'DIAYE, DIOP, KONÉ, CISSÉ, SYLLA, KEITA, CAMARA, COULIBALY, DIARRA, SOW,
        BA, FALL, SANOGO, TOURÉ, DIABY, DIAKITÉ, DOUMBIA, FOFANA, KANTÉ, SISSOKO, SOUMARÉ, TANDIA,
        GUEYE, N'DOYE, M'BAYE, SECK, SARR, THIAM, BAMBA, OUATTARA, KOUASSI, YAO, KOFFI, N'GUESSAN,
        DEMBÉLÉ, SAKHO, MAGASSA, DIAWARA, KAMARA, SANGARÉ, BARRY, BALDÉ, BAH, CONDÉ, SIDIBÉ, DIABATÉ,
        N'DIAYE SOW, M'BODJ, NIANG, DIENG, KABA, SY, DIOUF, MAKIADI, LUKUSA, MBUYI, NSIMBA""",
    ),
    "POR": _split(
        """DA SILVA, DOS SANTOS, FERREIRA, PEREIRA, RODRIGUES, FERNANDES, GONÇALVES, GOMES, LOPES,
        MARQUES, ALVES, ALMEIDA, RIBEIRO, PINTO, CARVALHO, TEIXEIRA, MOREIRA, CORREIA, MENDES, NUNES,
        SOARES, VIEIRA, MONTEIRO, CARDOSO, ROCHA, NEVES, COELHO, CUNHA, PIRES, DA COSTA, DE SOUSA,
        DE OLIVEIRA, DA CRUZ, DOS REIS, MACHADO, FONSECA, AZEVEDO, DE JESUS, BARBOSA, MARTINS""",
    ),
    "TUR": _split(
        """YILMAZ, KAYA, DEMIR, SAHIN, ÇELIK, YILDIZ, YILDIRIM, ÖZTÜRK, AYDIN, ÖZDEMIR, ARSLAN,
        DOGAN, KILIÇ, ASLAN, ÇETIN, KARA, KOÇ, KURT, ÖZKAN, SIMSEK, POLAT, ERDOGAN, GÜNES, AKSOY,
        TURAN, KORKMAZ, AKTAS, ÇAKIR, ÖZCAN, BULUT, GÜL, ERDEM, KESKIN, TAS, TEKIN, ÜNAL""",
    ),
    "EEU": _split(
        """IVANOV, PETROV, POPESCU, IONESCU, KOWALSKI, NOWAK, WISNIEWSKI, KOVAC, HORVATH, NAGY, POPOV,
        SMIRNOV, KUZNETSOV, MELNYK, SHEVCHENKO, BONDARENKO, KOVALENKO, TKACHENKO, DUMITRU, STAN,
        CONSTANTIN, GHEORGHE, RADU, STOICA, LAZAR, PETROVIC, JOVANOVIC, NIKOLIC, MARKOVIC, HOXHA,
        KRASNIQI, BERISHA, GASHI, AVETISYAN, HAKOBYAN, GRIGORYAN, KOZLOWSKI, LEWANDOWSKI, ZIELINSKI,
        SZYMANSKI, VOLKOV, MOROZOV, KADYROV, DUDAEV, MAGOMEDOV, BAISAROV""",
    ),
    "VIE": _split(
        """NGUYEN, TRAN, LE, PHAM, HOANG, HUYNH, PHAN, VU, VO, DANG, BUI, DO, HO, NGO, DUONG, LY,
        TRUONG, DINH, LAM, LUONG, MAI, TA, CHAU, LUU, TANG, CHEN, WANG, LIM, SOK, CHHUN, KHUU, TRINH,
        QUACH, TON, HA, VUONG, THAI, CAO, LA, KIM""",
    ),
}

# Syllables to grow each origin's surname pool to thousands of plausible names (a big city).
_SYLLABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "FR": (
        ("", "", "", "", "", "DE", "DEL", "VAN", "VAN DEN", "VER", "LE", "DU", "DES", "DE LA"),
        _split(
            "BRU, CAR, HAM, MAR, VIL, BOUR, CHAM, FOUR, GAR, LAM, MAS, PIC, RIC, TEL, VAL, BAR, COL, DOR,"
            "GOD, HOU, LAN, MER, POT, ROS, SAU, BEAU, CAU, DAN, FLA, GRU, HER, LEM, MON, PLA, QUE, TAIL,"
            "BOS, CLER, CROI, DUC, GUIL, HAU, LOUV, NOR, WAR, WIL, BEHA, COUR, FRO, MAU"
        ),
        _split(
            "NIER, LET, TIN, DIN, RON, BERT, LARD, CHON, NEAU, TEL, RIER, VAUX, COURT, MONT, VILLE, LIN,"
            "NET, GEOT, QUET, BOIS, HOUT, MEERSCH, BEKE, HAEGHE, DAELE, CKE, BROUCK, STRAETE, MOTTE, LIEU,"
            "ZEELE, GHEM, CAMP, HEM, DRE, BOT, ROY, LIER, REAU, SSART"
        ),
    ),
    "MAG": (
        ("", "", "BEN ", "BEN", "BOU", "EL ", "AÏT ", "ABD EL ", "OULD "),
        _split(
            "HADJ, SALAH, AMAR, KACEM, AÏSSA, SAÏD, MOUSSA, ALI, SLIMANE, YAHIA, ZIANE, MAHDI, TAHAR,"
            "LAKHDAR, RABAH, HAMOU, DJELLOUL, CHERIF, MANSOUR, RACHID, KADDOUR, LARBI, MILOUD, HOCINE,"
            "BRAHIM, OMAR, TALEB, NACER, ABBES, AZIZ, YOUSFI, KARIM, MEZIANE, AMEUR, DJILALI, FERHAT,"
            "GHANEM, HAMZA, KHALED, MOKHTAR"
        ),
        ("", "", "", "I", "A", "OUI", "ANI", "ENE"),
    ),
    "WAF": (
        ("", "", "", "", "N'", "M'"),
        _split(
            "DIA, KA, SI, TOU, KOU, BA, SA, DOU, FO, KEI, SOU, CA, GUE, TRA, CI, DEM, SAN, MA, DI, KO,"
            "NIA, TAN, BAM, SAM, DIAW, GA, OUE, YA, BOU, KAN"
        ),
        _split(
            "LLO, MARA, SSE, KITE, RE, BATE, NGO, MBIA, YE, GO, TA, BELE, FANA, KHO, SSOKO, RA, NE,"
            "DIOU, GASSA, KOURA, WARA, RRA, BALY, DJI, GARA, SSA, NOU, TE"
        ),
    ),
    "POR": (
        ("", "", "", "DA ", "DOS ", "DE "),
        _split(
            "FERR, PER, OLIV, MOR, TEIX, CARV, RIB, MACH, AZEV, FIGU, SEQU, PINH, BARR, QUINT, CAST,"
            "VASC, MAGALH, SALG, GUERR, MEIR, BRAND, ARAU, TAV, CAB"
        ),
        ("EIRA", "ALHO", "ADO", "INHO", "EDO", "ES", "ELO", "AES", "AL", "UJO"),
    ),
    "TUR": (
        ("",),
        _split(
            "AK, KARA, ÖZ, YIL, DEMIR, KOÇ, ER, GÜN, TUN, AY, BAY, SAR, KIZIL, ALTIN, UZUN, CAN, TOP,"
            "SEN, KAY, DUR, YÜCE, GÖK, TÜRK, ULU, BOZ"
        ),
        _split(
            "SOY, TAS, KAYA, DAG, MAZ, CAN, AL, DOGAN, TEKIN, TÜRK, OGLU, ER, DEMIR, KAN, ALP, BAS,"
            "ASLAN, KURT, YOL, GÜL"
        ),
    ),
    "EEU": (
        ("",),
        _split(
            "PETR, IVAN, KOVAL, POP, MARIN, NOW, LEW, KRAS, BOND, SHEV, MELN, HAK, GRIG, STOJ, JOV,"
            "NIKOL, DRAG, RAD, VASIL, MIRON, SOKOL, VOLK, ZAJ, KRAW, WOJ, BAB, DOBR, GOLUB, KUZM, MIH,"
            "OST, PAVL, ROM, SAV, TOM, VLAD, ZAH, BOR"
        ),
        _split("OV, EV, ENKO, ESCU, SKI, OWSKI, IC, OVIC, YAN, UK, CZYK, ANU, CHUK, ENKOV, IAN, INSKI"),
    ),
    "VIE": ((), (), ()),
}

# Share of the surname mass left to the generated tail, per origin (Vietnamese surnames are few).
_TAIL_SIZE: dict[str, int] = {
    "FR": 2600,
    "MAG": 1800,
    "WAF": 700,
    "POR": 300,
    "TUR": 350,
    "EEU": 700,
    "VIE": 0,
}


@lru_cache(maxsize=1)
def surname_pools() -> dict[str, tuple[str, ...]]:
    """Per origin: the listed surnames, then generated ones, in decreasing popularity.

    The generation walks the syllable grid in a fixed order (no randomness), so the pool is the same
    for every seed and every run.
    """
    pools: dict[str, tuple[str, ...]] = {}
    for origin, listed in SURNAMES.items():
        prefixes, roots, suffixes = _SYLLABLES[origin]
        seen = dict.fromkeys(listed)
        wanted = len(listed) + _TAIL_SIZE[origin]
        # Stride through the grid with co-prime steps so consecutive names differ in every part.
        total = len(prefixes) * len(roots) * len(suffixes)
        step = 7919
        position = 0
        for _ in range(total):
            if len(seen) >= wanted:
                break
            position = (position + step) % total
            p, rest = divmod(position, len(roots) * len(suffixes))
            r, s = divmod(rest, len(suffixes))
            name = f"{prefixes[p]}{roots[r]}{suffixes[s]}".strip()
            if len(name) >= 3:
                seen.setdefault(name)
        pools[origin] = tuple(seen)
    return pools


STREET_TYPES: tuple[tuple[str, float], ...] = (
    ("rue", 0.62),
    ("avenue", 0.08),
    ("boulevard", 0.06),
    ("allée", 0.06),
    ("place", 0.03),
    ("chemin", 0.03),
    ("impasse", 0.05),
    ("résidence", 0.04),
    ("square", 0.03),
)

STREET_NAMES: tuple[str, ...] = _split(
    """de l'Épeule, Jean Jaurès, Victor Hugo, de la Paix, des Tilleuls, Pasteur, du Général de Gaulle,
    de Lannoy, de Mouvaux, des Arts, de l'Alma, de Fontenoy, Jules Guesde, Roger Salengro, Jean Lebas,
    de Tourcoing, de Lille, Marceau, des Longues Haies, du Hutin, Pierre de Roubaix, de Cartigny,
    Édouard Vaillant, Anatole France, Émile Zola, Léon Blum, Gambetta, de la Fosse aux Chênes,
    des Trois Ponts, du Pile, Watteau, des Écoles, Molière, Racine, Voltaire, Paul Bert, de Beaumont,
    du Collège, de l'Hospice, Saint-Antoine, des Peupliers, des Acacias, des Lilas, des Marronniers,
    de la Gare, du Moulin, Jean Moulin, Pierre Brossolette, Danton, Carnot, Nadaud, de Wattrelos,
    Louis Pasteur, Henri Barbusse, Gustave Delory, Albert Camus, des Cottages, de Barbieux, de Croix,
    de Leers, de Hem, du Nouveau Monde, de l'Industrie, des Filatures, du Tissage, de la Vigne,
    Montgolfier, Lavoisier, Descartes, Parmentier, Ingres, Corneille, Lamartine, Alfred de Musset,
    Jacquard, Blanchemaille, de Valmy, d'Alger, de Constantine, de Tunis, Faidherbe, Foch, Clemenceau,
    Sadi Carnot, du Luxembourg, de Brabant, de Flandre, d'Artois, de Picardie, Louis Braille, Mozart,
    Beethoven, Chopin, Berlioz, Ravel, Bizet, des Fusillés, du 8 Mai 1945, de la Libération,
    de Verdun, de la Marne, de l'Yser, Nungesser, Mermoz, Saint-Exupéry, Charles Péguy, Paul Éluard,
    Aragon, Pablo Picasso, Vincent Van Gogh, Matisse, Marie Curie, Louise Michel, Olympe de Gouges,
    Simone Veil, Rosa Parks, Nelson Mandela, Martin Luther King, Salvador Allende, Jean Macé,
    Ferdinand Buisson, de Lorraine, d'Alsace, de Normandie, de Bretagne, des Tanneurs, des Teinturiers,
    du Fort, de la Mackellerie, de l'Ouest, du Nord, de Mons, de Tournai, de Courtrai, de Gand,
    de Bruges, d'Ypres, des Sarts, du Laboureur, de la Potennerie, du Grand Chemin, des Prés,
    des Champs, des Jardins, des Roses, des Violettes, des Bleuets, des Coquelicots, des Mésanges,
    des Hirondelles, des Alouettes, des Fauvettes, des Pinsons, du Calvaire, de l'Église, du Château"""
)

RESIDENCES: tuple[str, ...] = _split(
    """Les Hirondelles, Le Pile, Les Trois Ponts, Le Galon d'Eau, L'Alma Gare, Les Longues Haies,
    Le Nouveau Roubaix, La Potennerie, Les Écureuils, Le Parc, Les Glycines, Le Beau Site"""
)

# The commune of the children files and its neighbours (schooling records of other communes).
COMMUNE: tuple[str, str] = ("ROUBAIX", "59100")
NEIGHBOURS: tuple[tuple[str, str], ...] = (
    ("TOURCOING", "59200"),
    ("WATTRELOS", "59150"),
    ("CROIX", "59170"),
    ("LYS-LEZ-LANNOY", "59390"),
    ("HEM", "59510"),
    ("LILLE", "59000"),
    ("MOUVAUX", "59420"),
    ("LEERS", "59115"),
    ("WASQUEHAL", "59290"),
    ("VILLENEUVE-D'ASCQ", "59650"),
)

SCHOOL_PATRONS: tuple[str, ...] = _split(
    """Jules Ferry, Jean Macé, Pasteur, Victor Hugo, Jean Jaurès, Anatole France, Paul Bert, Condorcet,
    Marie Curie, Louise Michel, Jean Moulin, Jacques Prévert, Albert Camus, Saint-Exupéry, Jean Zay,
    Lamartine, Michelet, Buisson, Pierre de Coubertin, Georges Brassens, Simone Veil, Nelson Mandela,
    Rosa Parks, Léo Lagrange, Paul Éluard, Aragon, Camille Claudel, Jean de la Fontaine, Voltaire,
    Montesquieu, Descartes, Rabelais, Molière, Racine, Corneille, Albert Samain, Van der Meersch,
    Rostand, Baudelaire, Verlaine, Rimbaud, Colette, George Sand, Pablo Neruda, Elsa Triolet,
    Lucie Aubrac, Germaine Tillion, Joséphine Baker, Olympe de Gouges, Marcel Pagnol"""
)
PRIVATE_PATRONS: tuple[str, ...] = _split(
    """Sainte-Marie, Saint-Louis, Saint-Joseph, Notre-Dame, Jeanne d'Arc, Saint-Michel, Sainte-Thérèse,
    Saint-Exupéry, La Salle, Saint-Jean-Baptiste, Sacré-Cœur, Sainte-Famille, Ibn Khaldoun, Averroès,
    Montessori Les Petits Pas, Les Colibris, Ozar Hatorah, La Clé des Champs, Steiner Les Tilleuls"""
)
MEDICO_SOCIAL_NAMES: tuple[str, ...] = _split(
    """IME Les Glycines, IME Les Papillons Blancs, ITEP La Passerelle, IME La Roseraie, ITEP Le Cap,
    SESSAD Les Hirondelles, IME Le Chemin, Unité d'enseignement de l'hôpital de jour, IEM Les Marronniers"""
)
